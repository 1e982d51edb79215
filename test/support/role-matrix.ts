/**
 * The role matrix of ARCHITECTURE §5, written out once: who may call each field of the GraphQL
 * Mutation and Subscription types (graphql/schema.graphql), and each operation of each service's
 * API, per execution mode where the permission depends on it.
 *
 * The roles are written out here, not derived from packages/service-api/src/roles.ts, so that a
 * change there (or in a resolver, or in an operation's permission) shows as failing rows of the
 * tests that read this table: services/gateway/test/role-matrix.unit.test.ts and
 * services/<service>/test/role-matrix.*.test.ts. A new field or operation without a row fails them too.
 */

export const MATRIX_ROLES = ['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin'] as const;
export type MatrixRole = (typeof MATRIX_ROLES)[number];
export type MatrixMode = 'DRILL' | 'RECOVERY';

/** Who may do one thing. */
export interface Rule {
  /** The permission the contract names for it (FORBIDDEN messages name it); alternatives joined by " or ". */
  permission: string;
  /** The roles allowed. */
  allowed: readonly MatrixRole[];
  /** Whether a signed-in user without any role is allowed too (only changePassword). */
  withoutRole?: boolean;
}

/** The rules of something whose permission depends on the mode of the execution it acts on. */
export type ModeRules = Readonly<Record<MatrixMode, Rule>>;

export type MatrixTable = Readonly<Record<string, Rule | ModeRules>>;

// ---- who holds what (ARCHITECTURE §5), written out

const EVERY_ROLE: readonly MatrixRole[] = ['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin'];
/** plan:write */
const PLAN_AUTHORS: readonly MatrixRole[] = ['PlanAuthor', 'Admin'];
/** admin */
const ADMINS: readonly MatrixRole[] = ['Admin'];
/** drill:run, drill:approve */
const DRILL_OPERATORS: readonly MatrixRole[] = ['Operator', 'RecoveryManager', 'Admin'];
/** recovery:run, recovery:approve */
const RECOVERY_MANAGERS: readonly MatrixRole[] = ['RecoveryManager', 'Admin'];

const read: Rule = { permission: 'read', allowed: EVERY_ROLE };
const planWrite: Rule = { permission: 'plan:write', allowed: PLAN_AUTHORS };
const admin: Rule = { permission: 'admin', allowed: ADMINS };
/** Held by no role: only Lifeboat's services (`systemCaller`) may call it. */
const servicesOnly: Rule = { permission: 'service', allowed: [] };
/** Any signed-in user, even one with no role. */
const signedIn: Rule = { permission: 'a signed-in user', allowed: EVERY_ROLE, withoutRole: true };
const run: ModeRules = { DRILL: { permission: 'drill:run', allowed: DRILL_OPERATORS }, RECOVERY: { permission: 'recovery:run', allowed: RECOVERY_MANAGERS } };
const approve: ModeRules = { DRILL: { permission: 'drill:approve', allowed: DRILL_OPERATORS }, RECOVERY: { permission: 'recovery:approve', allowed: RECOVERY_MANAGERS } };
/** cleanupDrill needs drill:run whatever the mode; a RECOVERY is then refused for what it is (BAD_USER_INPUT), not for the caller. */
const cleanup: ModeRules = { DRILL: { permission: 'drill:run', allowed: DRILL_OPERATORS }, RECOVERY: { permission: 'drill:run', allowed: DRILL_OPERATORS } };

// ---- the GraphQL contract (graphql/schema.graphql)

export const MUTATION_MATRIX: MatrixTable = {
  syncSourceServers: planWrite,
  addTargetAccount: admin,
  updateTargetAccount: admin,
  removeTargetAccount: admin,
  createProtectionGroup: planWrite,
  updateProtectionGroup: planWrite,
  deleteProtectionGroup: planWrite,
  createRecoveryPlan: planWrite,
  updateRecoveryPlan: planWrite,
  deleteRecoveryPlan: planWrite,
  importSrmPriorities: planWrite,
  importConfiguration: planWrite,
  startExecution: run,
  pauseExecution: run,
  resumeExecution: run,
  cancelExecution: run,
  approveStep: approve,
  rejectStep: approve,
  retryFailedServers: run,
  cleanupDrill: cleanup,
  createNotificationChannel: admin,
  updateNotificationChannel: admin,
  deleteNotificationChannel: admin,
  testNotificationChannel: admin,
  setNotificationSubscription: admin,
  removeNotificationSubscription: admin,
  retryNotificationDelivery: admin,
  createUser: admin,
  setUserRoles: admin,
  setUserPassword: admin,
  deleteUser: admin,
  changePassword: signedIn,
};

export const SUBSCRIPTION_MATRIX: MatrixTable = {
  executionUpdated: read,
  executionEvents: read,
  executions: read,
  inventoryChanged: read,
  approvalsPending: { permission: 'drill:approve or recovery:approve', allowed: DRILL_OPERATORS },
};

// ---- each service's API (createApiHandler), checked again in the service

export const SERVICE_MATRIX = {
  catalog: {
    listSourceServers: read,
    getSourceServer: read,
    getSourceServers: read,
    syncSourceServers: planWrite,
    listTargetAccounts: read,
    addTargetAccount: admin,
    updateTargetAccount: admin,
    removeTargetAccount: admin,
    resolveTargetAccess: servicesOnly,
  },
  planning: {
    createProtectionGroup: planWrite,
    updateProtectionGroup: planWrite,
    deleteProtectionGroup: planWrite,
    getProtectionGroup: read,
    getProtectionGroups: read,
    listProtectionGroups: read,
    previewProtectionGroup: read,
    createRecoveryPlan: planWrite,
    updateRecoveryPlan: planWrite,
    deleteRecoveryPlan: planWrite,
    validateRecoveryPlan: read,
    listRecoveryPlans: read,
    getRecoveryPlan: read,
    listRecoveryPlanVersions: read,
    diffRecoveryPlanVersions: read,
    // The execution service resolves a plan on behalf of the user who starts it.
    resolveRecoveryPlan: read,
    importSrmPriorities: planWrite,
    exportConfiguration: read,
    importConfiguration: planWrite,
  },
  execution: {
    startExecution: run,
    getExecution: read,
    listExecutions: read,
    getExecutionEvents: read,
    pauseExecution: run,
    resumeExecution: run,
    cancelExecution: run,
    approveStep: approve,
    rejectStep: approve,
    retryFailedServers: run,
    cleanupDrill: cleanup,
  },
  notification: {
    listOutbox: read,
    listNotificationChannels: read,
    getNotificationChannel: read,
    createNotificationChannel: admin,
    updateNotificationChannel: admin,
    deleteNotificationChannel: admin,
    testNotificationChannel: admin,
    listNotificationSubscriptions: read,
    setNotificationSubscription: admin,
    removeNotificationSubscription: admin,
    listNotificationDeliveries: read,
    retryNotificationDelivery: admin,
  },
} as const satisfies Record<string, MatrixTable>;

// ---- reading the table

/** One row: a field or operation, in one mode when its permission depends on the mode. */
export interface MatrixRow {
  name: string;
  mode?: MatrixMode;
  rule: Rule;
}

export function isModeRules(entry: Rule | ModeRules): entry is ModeRules {
  return 'DRILL' in entry && 'RECOVERY' in entry;
}

/** The rows of a table: one per entry, or one per mode. */
export function rowsOf(table: MatrixTable): MatrixRow[] {
  return Object.entries(table).flatMap(([name, entry]): MatrixRow[] => (isModeRules(entry) ? (['DRILL', 'RECOVERY'] as const).map((mode) => ({ name, mode, rule: entry[mode] })) : [{ name, rule: entry }]));
}

/** The row × caller cases of a table: each role, then a signed-in user with no role (`roles: []`). */
export function casesOf(table: MatrixTable): { row: MatrixRow; roles: MatrixRole[]; allowed: boolean; title: string }[] {
  return rowsOf(table).flatMap((row) => [
    ...MATRIX_ROLES.map((role) => ({ row, roles: [role], allowed: row.rule.allowed.includes(role), title: `${row.name}${row.mode ? ` of a ${row.mode}` : ''} as ${role}` })),
    { row, roles: [], allowed: row.rule.withoutRole === true, title: `${row.name}${row.mode ? ` of a ${row.mode}` : ''} as a user without a role` },
  ]);
}

/**
 * Whether a FORBIDDEN message names what the caller lacks: the row's permission; for a caller
 * without even the DRILL permission of a mode-dependent entry (checked first), that one; for a
 * user without any role, `read` (which some checks ask first).
 */
export function namesThePermission(message: string, table: MatrixTable, row: MatrixRow, roles: readonly MatrixRole[]): boolean {
  const names = (rule: Rule) => rule.permission.split(' or ').some((permission) => message.includes(permission));
  if (names(row.rule)) return true;
  if (roles.length === 0 && message.includes('the read permission')) return true;
  const entry = table[row.name];
  return entry !== undefined && isModeRules(entry) && !roles.some((role) => entry.DRILL.allowed.includes(role)) && names(entry.DRILL);
}
