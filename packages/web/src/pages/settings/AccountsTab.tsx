/**
 * Settings > Accounts and regions: where the catalog lists DRS source servers, how each region's
 * last sync went, Sync now (plan:write), and adding, changing and removing accounts (admin).
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { gql, useGraphQLMutation, useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ActionModal } from '../../components/ActionModal.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { FormActions } from '../../components/FormActions.js';
import { allProblemsPlaced, fieldError } from '../../components/fieldErrors.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { formatAge, formatTimestamp, useNow } from '../../components/time.js';
import { useNotify } from '../../layout/notifications.js';

const TARGET_ACCOUNT_FIELDS = `
  accountId
  regions
  roleArn
  hasExternalId
  isDefault
  createdAt
  createdBy
  updatedAt
  updatedBy
  sync { region status lastAttemptAt lastSuccessAt error { code message } serverCount discovered changed removed durationMs }
`;

const TARGET_ACCOUNTS = gql`
  query SettingsTargetAccounts {
    targetAccounts { ${TARGET_ACCOUNT_FIELDS} }
  }
`;

const ADD_TARGET_ACCOUNT = gql`
  mutation AddTargetAccount($input: AddTargetAccountInput!) {
    addTargetAccount(input: $input) { ${TARGET_ACCOUNT_FIELDS} }
  }
`;

const UPDATE_TARGET_ACCOUNT = gql`
  mutation UpdateTargetAccount($input: UpdateTargetAccountInput!) {
    updateTargetAccount(input: $input) { ${TARGET_ACCOUNT_FIELDS} }
  }
`;

const REMOVE_TARGET_ACCOUNT = gql`
  mutation RemoveTargetAccount($accountId: String!) {
    removeTargetAccount(accountId: $accountId) {
      accountId
      removedServers
    }
  }
`;

const SYNC_SOURCE_SERVERS = gql`
  mutation SyncSourceServers($accountId: String) {
    syncSourceServers(accountId: $accountId) {
      discovered
      changed
      removed
      targets { accountId region status serverCount error { code message } }
    }
  }
`;

interface TargetRegionSync {
  region: string;
  status: 'NEVER_SYNCED' | 'SUCCEEDED' | 'FAILED';
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  error: { code: string; message: string } | null;
  serverCount: number | null;
  discovered: number | null;
  changed: number | null;
  removed: number | null;
  durationMs: number | null;
}

interface TargetAccount {
  accountId: string;
  regions: string[];
  roleArn: string | null;
  hasExternalId: boolean;
  isDefault: boolean;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  sync: TargetRegionSync[];
}

interface SyncResult {
  discovered: number;
  changed: number;
  removed: number;
  targets: { accountId: string; region: string; status: 'SUCCEEDED' | 'FAILED'; serverCount: number; error: { code: string; message: string } | null }[];
}

/** `us-east-1, eu-west-1` or one per line -> the list, in the order written. */
export function parseRegions(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

const ACCOUNT_FIELDS = ['accountId', 'regions', 'roleArn', 'externalId'];

interface AccountFormProps {
  /** The account to change; absent: a new one. */
  account?: TargetAccount;
  onDone: (account: TargetAccount) => void;
  onCancel: () => void;
}

function AccountForm(props: AccountFormProps): ReactNode {
  const editing = props.account;
  const [accountId, setAccountId] = useState(editing?.accountId ?? '');
  const [regions, setRegions] = useState(editing?.regions.join(', ') ?? '');
  const [roleArn, setRoleArn] = useState(editing?.roleArn ?? '');
  const [externalId, setExternalId] = useState('');
  const [removeExternalId, setRemoveExternalId] = useState(false);
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [add, adding] = useGraphQLMutation<{ addTargetAccount: TargetAccount }, { input: Record<string, unknown> }>(ADD_TARGET_ACCOUNT);
  const [update, updating] = useGraphQLMutation<{ updateTargetAccount: TargetAccount }, { input: Record<string, unknown> }>(UPDATE_TARGET_ACCOUNT);

  const submit = async () => {
    setError(undefined);
    if (editing) {
      const input: Record<string, unknown> = { accountId: editing.accountId, regions: parseRegions(regions) };
      if (roleArn.trim() !== (editing.roleArn ?? '')) input.roleArn = roleArn.trim();
      if (removeExternalId) input.externalId = null;
      else if (externalId !== '') input.externalId = externalId;
      const result = await update({ input });
      if (result.error?.code === 'NOT_FOUND' && editing.isDefault) {
        // The account Lifeboat runs in is listed until it is stored: the first edit stores it.
        const { externalId: keptExternalId, ...addInput } = input;
        const added = await add({ input: keptExternalId === null ? addInput : input });
        if (added.error) setError(added.error);
        else if (added.data) props.onDone(added.data.addTargetAccount);
        return;
      }
      if (result.error) setError(result.error);
      else if (result.data) props.onDone(result.data.updateTargetAccount);
      return;
    }
    const input: Record<string, unknown> = { accountId: accountId.trim(), regions: parseRegions(regions) };
    if (roleArn.trim()) input.roleArn = roleArn.trim();
    if (externalId) input.externalId = externalId;
    const result = await add({ input });
    if (result.error) setError(result.error);
    else if (result.data) props.onDone(result.data.addTargetAccount);
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Form
        actions={<FormActions submitLabel={editing ? 'Save changes' : 'Add account'} submitting={adding.running || updating.running} onCancel={props.onCancel} />}
        errorText={error && !allProblemsPlaced(error, ACCOUNT_FIELDS) ? <ErrorAlert error={error} /> : undefined}
      >
        <SpaceBetween size="m">
          <Box variant="p" color="text-body-secondary">
            Lifeboat checks that the role can be assumed and that DRS answers in every region before saving.
          </Box>
          <FormField label="Account id" description="The 12-digit AWS account id." errorText={fieldError(error, 'accountId')}>
            <Input value={accountId} onChange={({ detail }) => setAccountId(detail.value)} disabled={Boolean(editing)} inputMode="numeric" placeholder="111122223333" />
          </FormField>
          <FormField label="Regions" description="AWS regions where DRS replicates, separated by commas." errorText={fieldError(error, 'regions')}>
            <Input value={regions} onChange={({ detail }) => setRegions(detail.value)} placeholder="us-east-1, eu-west-1" />
          </FormField>
          <FormField
            label="Role ARN"
            description="The role the catalog assumes in the account. Optional only for the account Lifeboat runs in."
            errorText={fieldError(error, 'roleArn')}
          >
            <Input value={roleArn} onChange={({ detail }) => setRoleArn(detail.value)} placeholder="arn:aws:iam::111122223333:role/LifeboatCatalog" />
          </FormField>
          <FormField
            label={
              <span>
                External id <i>- optional</i>
              </span>
            }
            description={editing?.hasExternalId ? 'An external id is stored (never shown). Type a new one to replace it.' : 'Passed to AssumeRole; never shown again.'}
            errorText={fieldError(error, 'externalId')}
          >
            <Input value={externalId} onChange={({ detail }) => setExternalId(detail.value)} type="password" disabled={removeExternalId} />
          </FormField>
          {editing?.hasExternalId && (
            <Checkbox checked={removeExternalId} onChange={({ detail }) => setRemoveExternalId(detail.checked)}>
              Remove the stored external id
            </Checkbox>
          )}
        </SpaceBetween>
      </Form>
    </form>
  );
}

function RegionSyncs(props: { account: TargetAccount; now: number }): ReactNode {
  const syncs = props.account.regions.map((region) => props.account.sync.find((s) => s.region === region) ?? { region, status: 'NEVER_SYNCED' as const, lastSuccessAt: null, lastAttemptAt: null, error: null, serverCount: null });
  return (
    <SpaceBetween size="xxs">
      {syncs.map((sync) => (
        <div key={sync.region}>
          <Box variant="strong" display="inline">
            {sync.region}
          </Box>{' '}
          <StatusBadge status={sync.status} />
          {sync.lastSuccessAt && (
            <span title={formatTimestamp(sync.lastSuccessAt)}>
              {' '}
              last synced {formatAge(sync.lastSuccessAt, props.now)}
              {sync.serverCount !== null ? `, ${sync.serverCount} servers` : ''}
            </span>
          )}
          {sync.error && (
            <Box color="text-status-error" fontSize="body-s">
              {sync.error.code}: {sync.error.message}
            </Box>
          )}
        </div>
      ))}
    </SpaceBetween>
  );
}

export function AccountsTab(): ReactNode {
  const session = useSession();
  const notify = useNotify();
  const now = useNow(30_000);
  const isAdmin = session.may('admin');
  const maySync = session.may('plan:write');
  const query = useGraphQLQuery<{ targetAccounts: TargetAccount[] }>(TARGET_ACCOUNTS);
  const [selected, setSelected] = useState<TargetAccount[]>([]);
  const [editor, setEditor] = useState<{ account?: TargetAccount } | undefined>(undefined);
  const [removing, setRemoving] = useState<TargetAccount | undefined>(undefined);
  const [removeError, setRemoveError] = useState<ConsoleError | undefined>(undefined);
  const [remove, removeState] = useGraphQLMutation<{ removeTargetAccount: { accountId: string; removedServers: number } }, { accountId: string }>(REMOVE_TARGET_ACCOUNT);
  const [sync, syncState] = useGraphQLMutation<{ syncSourceServers: SyncResult }, { accountId?: string }>(SYNC_SOURCE_SERVERS);

  const accounts = query.data?.targetAccounts ?? [];
  const current = selected[0] ? accounts.find((a) => a.accountId === selected[0]?.accountId) : undefined;

  const syncNow = async () => {
    const result = await sync(current ? { accountId: current.accountId } : {});
    if (result.error) {
      notify({ type: 'error', header: 'Sync failed', content: result.error.message });
      return;
    }
    const outcome = result.data?.syncSourceServers;
    if (outcome) {
      const failed = outcome.targets.filter((t) => t.status === 'FAILED');
      notify({
        type: failed.length > 0 ? 'warning' : 'success',
        header: current ? `Synced account ${current.accountId}` : 'Synced every account and region',
        content:
          `${outcome.discovered} discovered, ${outcome.changed} changed, ${outcome.removed} removed.` +
          (failed.length > 0 ? ` Failed: ${failed.map((t) => `${t.accountId}/${t.region} (${t.error?.code ?? 'error'})`).join(', ')}.` : ''),
      });
    }
    query.refetch();
  };

  return (
    <SpaceBetween size="l">
      {!isAdmin && (
        <Alert type="info" header="Read only">
          Only an Admin can add, change or remove accounts.
        </Alert>
      )}
      <Table
        data-testid="target-accounts"
        variant="container"
        items={accounts}
        trackBy="accountId"
        loading={query.loading}
        loadingText="Loading accounts"
        selectionType={isAdmin || maySync ? 'single' : undefined}
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{ selectionGroupLabel: 'Accounts', itemSelectionLabel: (_, item) => `Select account ${item.accountId}`, allItemsSelectionLabel: () => 'Select all accounts' }}
        header={
          <Header
            variant="h2"
            counter={query.data ? `(${accounts.length})` : undefined}
            description="AWS accounts and regions whose DRS source servers Lifeboat lists"
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh accounts" onClick={query.refetch} />
                {maySync && (
                  <Button onClick={() => void syncNow()} loading={syncState.running}>
                    {current ? 'Sync account now' : 'Sync now'}
                  </Button>
                )}
                {isAdmin && (
                  <>
                    <Button disabled={!current} onClick={() => current && setEditor({ account: current })}>
                      Edit
                    </Button>
                    <Button
                      disabled={!current || current.isDefault}
                      onClick={() => {
                        setRemoveError(undefined);
                        setRemoving(current);
                      }}
                    >
                      Remove
                    </Button>
                    <Button variant="primary" onClick={() => setEditor({})}>
                      Add account
                    </Button>
                  </>
                )}
              </SpaceBetween>
            }
          >
            Accounts and regions
          </Header>
        }
        empty={query.error ? <ErrorAlert error={query.error} onRetry={query.refetch} /> : <EmptyState title="No accounts" subtitle="Add the AWS accounts whose DRS source servers Lifeboat should list." />}
        columnDefinitions={[
          {
            id: 'account',
            header: 'Account',
            cell: (a) => (
              <SpaceBetween size="xxxs">
                <Box variant="strong">{a.accountId}</Box>
                {a.isDefault && <Box color="text-body-secondary">The account Lifeboat runs in</Box>}
              </SpaceBetween>
            ),
          },
          { id: 'sync', header: 'Regions and last sync', cell: (a) => <RegionSyncs account={a} now={now} /> },
          { id: 'role', header: 'Role', cell: (a) => a.roleArn ?? '-' },
          { id: 'externalId', header: 'External id', cell: (a) => (a.hasExternalId ? 'Set' : '-') },
          { id: 'updated', header: 'Changed', cell: (a) => (a.updatedAt ? `${formatAge(a.updatedAt, now)} by ${a.updatedBy ?? '?'}` : a.createdAt ? `${formatAge(a.createdAt, now)} by ${a.createdBy ?? '?'}` : '-') },
        ]}
      />
      {editor && (
        <Modal visible onDismiss={() => setEditor(undefined)} header={editor.account ? `Edit account ${editor.account.accountId}` : 'Add account'} size="medium" closeAriaLabel="Close">
          <AccountForm
            {...(editor.account ? { account: editor.account } : {})}
            onCancel={() => setEditor(undefined)}
            onDone={(account) => {
              setEditor(undefined);
              notify({ type: 'success', content: editor.account ? `Account ${account.accountId} saved.` : `Account ${account.accountId} added. Sync to list its servers.` });
              query.refetch();
            }}
          />
        </Modal>
      )}
      {removing && (
        <ActionModal
          header={`Remove account ${removing.accountId}`}
          actionLabel="Remove"
          running={removeState.running}
          onDismiss={() => setRemoving(undefined)}
          onAction={() =>
            void remove({ accountId: removing.accountId }).then((result) => {
              if (result.error) {
                setRemoveError(result.error);
                return;
              }
              setRemoving(undefined);
              setSelected([]);
              notify({ type: 'success', content: `Account ${removing.accountId} removed with ${result.data?.removeTargetAccount.removedServers ?? 0} servers.` });
              query.refetch();
            })
          }
        >
          <SpaceBetween size="m">
            <Box>The catalog forgets the account and its source servers leave the inventory (and their protection groups). DRS itself is not changed.</Box>
            <StatusIndicator type="warning">Plans that recover these servers will report them missing.</StatusIndicator>
            <ErrorAlert error={removeError} />
          </SpaceBetween>
        </ActionModal>
      )}
    </SpaceBetween>
  );
}
