/** The GraphQL documents of the executions pages (graphql/schema.graphql), with the shapes they answer. */
import { gql } from '../../api/client.js';
import type { Execution, ExecutionEventRecord, ExecutionMode, ExecutionStatus, ExecutionSummary, PointInTimeType } from './model.js';

const STEP_FIELDS = gql`id type name status startedAt completedAt output reason onFailure dueAt`;

/** Everything the runbook shows of an execution (the query and executionUpdated select the same). */
export const EXECUTION_FIELDS = gql`
  id planId planVersion planName mode status startedAt completedAt startedBy version failureReason
  pausedAt pausedBeforeWaveId pauseBeforeWaveIds cancelRequestedAt cancelRequestedBy terminateInstancesOnCancel retries
  waves {
    id name dependsOn launchOrder status startedAt completedAt errorPolicy skipped skippedAt skipReason failureReason
    preSteps { ${STEP_FIELDS} }
    postSteps { ${STEP_FIELDS} }
    servers {
      sourceServerId hostname accountId region criticality status jobId recoveryInstanceId ec2InstanceId
      launchedAt verifiedAt attempts
      pointInTime { type snapshotId before }
      checks { name status durationMs output }
    }
  }
  approvals {
    id kind waveId stepId prompt status permission approverRole approverRoles excludedUserIds
    requestedAt expiresAt decidedAt decidedBy comment
  }
  cleanup { status trigger startedAt completedAt recoveryInstanceIds terminatedRecoveryInstanceIds failed { recoveryInstanceId reason } }
`;

const EVENT_FIELDS = gql`streamVersion eventId type occurredAt actor data`;

/** The runbook: the execution and the latest 200 events of its stream (a 1,000-server drill has about 3,000). */
export const RUNBOOK_QUERY = gql`
  query Runbook($id: ID!) {
    me { id }
    execution(id: $id) { ${EXECUTION_FIELDS} }
    executionEvents(id: $id, last: 200) { ${EVENT_FIELDS} }
  }
`;
export interface RunbookData {
  me: { id: string };
  execution: Execution | null;
  executionEvents: ExecutionEventRecord[];
}

/** The timeline's "Show earlier events": the 200 events before the oldest one it shows. */
export const EARLIER_EVENTS_QUERY = gql`
  query RunbookEarlierEvents($id: ID!, $beforeVersion: Int!) {
    executionEvents(id: $id, last: 200, beforeVersion: $beforeVersion) { ${EVENT_FIELDS} }
  }
`;
export interface EarlierEventsData {
  executionEvents: ExecutionEventRecord[];
}
export interface EarlierEventsVariables {
  id: string;
  beforeVersion: number;
}

export const EXECUTION_UPDATED = gql`
  subscription RunbookExecution($id: ID!) { executionUpdated(id: $id) { ${EXECUTION_FIELDS} } }
`;
export interface ExecutionUpdatedData {
  executionUpdated: Execution;
}

export const EXECUTION_EVENTS = gql`
  subscription RunbookEvents($id: ID!) { executionEvents(id: $id) { ${EVENT_FIELDS} } }
`;
export interface ExecutionEventsData {
  executionEvents: ExecutionEventRecord;
}

export const PLAN_TARGET_QUERY = gql`
  query RunbookPlan($id: ID!, $version: Int) { recoveryPlan(id: $id, version: $version) { id version settings { rtoTargetMinutes requireSecondApprover } } }
`;
export interface PlanTargetData {
  recoveryPlan: { id: string; version: number; settings: { rtoTargetMinutes: number | null; requireSecondApprover: boolean } } | null;
}

// ---------------------------------------------------------------- controls

export const PAUSE_EXECUTION = gql`
  mutation PauseExecution($id: ID!, $beforeWaveId: ID) { pauseExecution(id: $id, beforeWaveId: $beforeWaveId) { ${EXECUTION_FIELDS} } }
`;
export interface PauseVariables {
  id: string;
  beforeWaveId?: string;
}

export const RESUME_EXECUTION = gql`
  mutation ResumeExecution($id: ID!) { resumeExecution(id: $id) { ${EXECUTION_FIELDS} } }
`;

export const CANCEL_EXECUTION = gql`
  mutation CancelExecution($id: ID!, $terminateInstances: Boolean, $reason: String) {
    cancelExecution(id: $id, terminateInstances: $terminateInstances, reason: $reason) { ${EXECUTION_FIELDS} }
  }
`;
export interface CancelVariables {
  id: string;
  terminateInstances?: boolean;
  reason?: string;
}

export const CLEANUP_DRILL = gql`
  mutation CleanupDrill($id: ID!) { cleanupDrill(id: $id) { ${EXECUTION_FIELDS} } }
`;

export const RETRY_FAILED_SERVERS = gql`
  mutation RetryFailedServers($id: ID!, $sourceServerIds: [ID!]) { retryFailedServers(id: $id, sourceServerIds: $sourceServerIds) { ${EXECUTION_FIELDS} } }
`;
export interface RetryVariables {
  id: string;
  sourceServerIds?: string[];
}

export const APPROVE_STEP = gql`
  mutation ApproveStep($executionId: ID!, $approvalId: ID!, $comment: String) {
    approveStep(executionId: $executionId, approvalId: $approvalId, comment: $comment) { ${EXECUTION_FIELDS} }
  }
`;
export const REJECT_STEP = gql`
  mutation RejectStep($executionId: ID!, $approvalId: ID!, $comment: String) {
    rejectStep(executionId: $executionId, approvalId: $approvalId, comment: $comment) { ${EXECUTION_FIELDS} }
  }
`;
export interface DecideVariables {
  executionId: string;
  approvalId: string;
  comment?: string;
}

export interface IdVariables {
  id: string;
}

// ---------------------------------------------------------------- history

const SUMMARY_FIELDS = gql`id planId planVersion planName mode status startedAt completedAt startedBy failureReason waves { id name status skipped }`;

export interface ExecutionFilterInput {
  planId?: string;
  mode?: ExecutionMode;
  statuses?: ExecutionStatus[];
  startedAfter?: string;
  startedBefore?: string;
}

export const EXECUTIONS_QUERY = gql`
  query ExecutionHistory($first: Int, $after: String, $filter: ExecutionFilter) {
    executions(first: $first, after: $after, filter: $filter) { items { ${SUMMARY_FIELDS} } nextCursor }
  }
`;
export interface ExecutionsData {
  executions: { items: ExecutionSummary[]; nextCursor: string | null };
}
export interface ExecutionsVariables {
  first: number;
  after?: string;
  filter?: ExecutionFilterInput;
}

export const EXECUTIONS_SUBSCRIPTION = gql`
  subscription ExecutionHistoryLive($filter: ExecutionFilter) { executions(filter: $filter) { ${SUMMARY_FIELDS} } }
`;
export interface ExecutionsPushedData {
  executions: ExecutionSummary;
}
export interface ExecutionsSubscriptionVariables {
  filter?: ExecutionFilterInput;
}

export const PLAN_NAMES_QUERY = gql`
  query ExecutionPlanNames { recoveryPlans(first: 1000) { items { id name } } }
`;
export interface PlanNamesData {
  recoveryPlans: { items: { id: string; name: string }[] };
}

export const COMPARE_QUERY = gql`
  query CompareRuns($a: ID!, $b: ID!) {
    a: execution(id: $a) { ${EXECUTION_FIELDS} }
    b: execution(id: $b) { ${EXECUTION_FIELDS} }
  }
`;
export interface CompareData {
  a: Execution | null;
  b: Execution | null;
}
export interface CompareVariables {
  a: string;
  b: string;
}

// ---------------------------------------------------------------- execute dialog

export const EXECUTE_PLAN_QUERY = gql`
  query ExecutePlan($id: ID!, $version: Int) {
    recoveryPlan(id: $id, version: $version) {
      id name version
      waves { id name dependsOn protectionGroupIds sourceServerIds }
      settings { rtoTargetMinutes requireSecondApprover }
    }
    recoveryPlanVersions(id: $id) { version createdAt createdBy changeSummary deleted }
    protectionGroups(first: 1000) { items { id name sourceServerIds } }
  }
`;
export interface ExecutePlanData {
  recoveryPlan: {
    id: string;
    name: string;
    version: number;
    waves: { id: string; name: string; dependsOn: string[]; protectionGroupIds: string[]; sourceServerIds: string[] }[];
    settings: { rtoTargetMinutes: number | null; requireSecondApprover: boolean };
  } | null;
  recoveryPlanVersions: { version: number; createdAt: string; createdBy: string; changeSummary: string[]; deleted: boolean }[];
  protectionGroups: { items: { id: string; name: string; sourceServerIds: string[] }[] };
}
export interface ExecutePlanVariables {
  id: string;
  version?: number;
}

export const GROUP_SERVERS_QUERY = gql`
  query ExecuteGroupServers($groupId: ID!) { sourceServers(first: 1000, filter: { protectionGroupId: $groupId }) { items { id hostname } } }
`;
export interface GroupServersData {
  sourceServers: { items: { id: string; hostname: string }[] };
}

export const START_EXECUTION = gql`
  mutation StartExecution($input: StartExecutionInput!) { startExecution(input: $input) { id status } }
`;
export interface StartExecutionVariables {
  input: {
    planId: string;
    planVersion?: number;
    mode: ExecutionMode;
    confirmation?: string;
    options?: {
      waveIds?: string[];
      pointsInTime?: { sourceServerId: string; type: PointInTimeType; snapshotId?: string; before?: string }[];
    };
  };
}
export interface StartExecutionData {
  startExecution: { id: string; status: ExecutionStatus };
}
