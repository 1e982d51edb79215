/**
 * Settings > Users and roles: everyone sees their own account and (local sign-in) changes their
 * password; an Admin manages every user: create with roles, change roles, reset a password, delete.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Modal from '@cloudscape-design/components/modal';
import Multiselect from '@cloudscape-design/components/multiselect';
import type { MultiselectProps } from '@cloudscape-design/components/multiselect';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { gql, useGraphQLMutation, useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { ROLES } from '../../auth/permissions.js';
import { useAuthMode, useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ActionModal } from '../../components/ActionModal.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { FormActions } from '../../components/FormActions.js';
import { allProblemsPlaced, fieldError } from '../../components/fieldErrors.js';
import { formatAge, formatTimestamp, useNow } from '../../components/time.js';
import { useNotify } from '../../layout/notifications.js';

const USERS = gql`
  query SettingsUsers {
    users {
      username
      roles
      createdAt
    }
  }
`;

const CREATE_USER = gql`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      username
      roles
      createdAt
    }
  }
`;

const SET_USER_ROLES = gql`
  mutation SetUserRoles($username: String!, $roles: [Role!]!) {
    setUserRoles(username: $username, roles: $roles) {
      username
      roles
      createdAt
    }
  }
`;

const SET_USER_PASSWORD = gql`
  mutation SetUserPassword($username: String!, $password: String!) {
    setUserPassword(username: $username, password: $password) {
      username
    }
  }
`;

const DELETE_USER = gql`
  mutation DeleteUser($username: String!) {
    deleteUser(username: $username) {
      username
    }
  }
`;

const CHANGE_PASSWORD = gql`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      username
    }
  }
`;

interface UserAccount {
  username: string;
  roles: string[];
  createdAt: string;
}

const ROLE_DESCRIPTIONS: Record<string, string> = {
  Viewer: 'Reads everything',
  Operator: 'Viewer, and runs, approves and cleans up drills',
  PlanAuthor: 'Viewer, and writes protection groups and recovery plans',
  RecoveryManager: 'Operator, and runs and approves recoveries',
  Admin: 'Everything, including accounts, channels and users',
};

const ROLE_OPTIONS: MultiselectProps.Option[] = ROLES.map((role) => ({ value: role, label: role, description: ROLE_DESCRIPTIONS[role] }));

function roleOptions(roles: string[]): MultiselectProps.Option[] {
  return ROLE_OPTIONS.filter((o) => o.value !== undefined && roles.includes(o.value));
}

function RolesField(props: { roles: string[]; onChange: (roles: string[]) => void; errorText?: string | undefined }): ReactNode {
  return (
    <FormField label="Roles" description="What the user may do. A change applies from the user's next sign-in." errorText={props.errorText}>
      <Multiselect
        selectedOptions={roleOptions(props.roles)}
        options={ROLE_OPTIONS}
        onChange={({ detail }) => props.onChange(detail.selectedOptions.map((o) => o.value ?? '').filter((v) => v !== ''))}
        placeholder="Choose roles"
        tokenLimit={5}
        deselectAriaLabel={(option) => `Remove role ${option.label ?? ''}`}
      />
    </FormField>
  );
}

function ChangeOwnPassword(): ReactNode {
  const notify = useNotify();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [mismatch, setMismatch] = useState(false);
  const [change, state] = useGraphQLMutation<{ changePassword: { username: string } }, { currentPassword: string; newPassword: string }>(CHANGE_PASSWORD);
  const submit = async () => {
    setError(undefined);
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    const result = await change({ currentPassword: current, newPassword: next });
    if (result.error) {
      setError(result.error);
      return;
    }
    setCurrent('');
    setNext('');
    setRepeat('');
    notify({ type: 'success', content: 'Your password is changed.' });
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Form
        header={<Header variant="h3">Change your password</Header>}
        actions={
          <Button variant="primary" formAction="submit" loading={state.running}>
            Change password
          </Button>
        }
        errorText={error && !allProblemsPlaced(error, ['currentPassword', 'newPassword']) ? <ErrorAlert error={error} /> : undefined}
      >
        <SpaceBetween size="s">
          <FormField label="Current password" errorText={fieldError(error, 'currentPassword')}>
            <Input type="password" value={current} onChange={({ detail }) => setCurrent(detail.value)} autoComplete="current-password" />
          </FormField>
          <FormField label="New password" description="At least 12 characters." errorText={fieldError(error, 'newPassword')}>
            <Input type="password" value={next} onChange={({ detail }) => setNext(detail.value)} autoComplete="new-password" />
          </FormField>
          <FormField label="Repeat the new password" errorText={mismatch ? 'The two new passwords differ.' : undefined}>
            <Input type="password" value={repeat} onChange={({ detail }) => setRepeat(detail.value)} autoComplete="new-password" />
          </FormField>
        </SpaceBetween>
      </Form>
    </form>
  );
}

function CreateUserForm(props: { onDone: (user: UserAccount) => void; onCancel: () => void }): ReactNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['Viewer']);
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [create, state] = useGraphQLMutation<{ createUser: UserAccount }, { input: { username: string; password: string; roles: string[] } }>(CREATE_USER);
  const submit = async () => {
    setError(undefined);
    const result = await create({ input: { username: username.trim(), password, roles } });
    if (result.error) setError(result.error);
    else if (result.data) props.onDone(result.data.createUser);
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Form
        actions={<FormActions submitLabel="Create user" submitting={state.running} onCancel={props.onCancel} />}
        errorText={error && !allProblemsPlaced(error, ['username', 'password', 'roles']) ? <ErrorAlert error={error} /> : undefined}
      >
        <SpaceBetween size="m">
          <FormField label="User name" description="1 to 128 letters, digits or . _ @ -" errorText={fieldError(error, 'username')}>
            <Input value={username} onChange={({ detail }) => setUsername(detail.value)} autoComplete="off" />
          </FormField>
          <FormField label="Initial password" description="At least 12 characters; the user should change it after signing in." errorText={fieldError(error, 'password')}>
            <Input type="password" value={password} onChange={({ detail }) => setPassword(detail.value)} autoComplete="new-password" />
          </FormField>
          <RolesField roles={roles} onChange={setRoles} errorText={fieldError(error, 'roles')} />
        </SpaceBetween>
      </Form>
    </form>
  );
}

type Dialog = { kind: 'create' } | { kind: 'roles'; user: UserAccount } | { kind: 'password'; user: UserAccount } | { kind: 'delete'; user: UserAccount };

function UserAdministration(): ReactNode {
  const notify = useNotify();
  const session = useSession();
  const now = useNow(60_000);
  const query = useGraphQLQuery<{ users: UserAccount[] }>(USERS);
  const [selected, setSelected] = useState<UserAccount[]>([]);
  const [dialog, setDialog] = useState<Dialog | undefined>(undefined);
  const [dialogError, setDialogError] = useState<ConsoleError | undefined>(undefined);
  const [roles, setRoles] = useState<string[]>([]);
  const [password, setPassword] = useState('');
  const [setUserRoles, rolesState] = useGraphQLMutation<{ setUserRoles: UserAccount }, { username: string; roles: string[] }>(SET_USER_ROLES);
  const [setUserPassword, passwordState] = useGraphQLMutation<{ setUserPassword: { username: string } }, { username: string; password: string }>(SET_USER_PASSWORD);
  const [deleteUser, deleteState] = useGraphQLMutation<{ deleteUser: { username: string } }, { username: string }>(DELETE_USER);

  const users = query.data?.users ?? [];
  const current = selected[0] ? users.find((u) => u.username === selected[0]?.username) : undefined;
  const open = (next: Dialog) => {
    setDialogError(undefined);
    if (next.kind === 'roles') setRoles(next.user.roles);
    if (next.kind === 'password') setPassword('');
    setDialog(next);
  };
  const close = () => setDialog(undefined);
  const finish = (message: string) => {
    close();
    notify({ type: 'success', content: message });
    query.refetch();
  };

  return (
    <>
      <Table
        data-testid="user-accounts"
        variant="container"
        items={users}
        trackBy="username"
        loading={query.loading}
        loadingText="Loading users"
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{ selectionGroupLabel: 'Users', itemSelectionLabel: (_, user) => `Select user ${user.username}`, allItemsSelectionLabel: () => 'Select all users' }}
        header={
          <Header
            variant="h2"
            counter={query.data ? `(${users.length})` : undefined}
            description="Who may sign in, and what their roles let them do"
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh users" onClick={query.refetch} />
                <Button disabled={!current} onClick={() => current && open({ kind: 'roles', user: current })}>
                  Change roles
                </Button>
                <Button disabled={!current} onClick={() => current && open({ kind: 'password', user: current })}>
                  Reset password
                </Button>
                <Button disabled={!current || current.username === session.username} onClick={() => current && open({ kind: 'delete', user: current })}>
                  Delete
                </Button>
                <Button variant="primary" onClick={() => open({ kind: 'create' })}>
                  Create user
                </Button>
              </SpaceBetween>
            }
          >
            Users
          </Header>
        }
        empty={query.error ? <ErrorAlert error={query.error} onRetry={query.refetch} /> : <EmptyState title="No users" />}
        columnDefinitions={[
          { id: 'username', header: 'User name', cell: (u) => u.username, isRowHeader: true },
          { id: 'roles', header: 'Roles', cell: (u) => (u.roles.length > 0 ? u.roles.join(', ') : <Box color="text-status-warning">No roles: can read nothing</Box>) },
          { id: 'created', header: 'Created', cell: (u) => <span title={formatTimestamp(u.createdAt)}>{formatAge(u.createdAt, now)}</span> },
        ]}
      />
      {dialog?.kind === 'create' && (
        <Modal visible onDismiss={close} header="Create user" closeAriaLabel="Close">
          <CreateUserForm onCancel={close} onDone={(user) => finish(`User ${user.username} created with roles ${user.roles.join(', ') || 'none'}.`)} />
        </Modal>
      )}
      {dialog?.kind === 'roles' && (
        <ActionModal
          header={`Change the roles of ${dialog.user.username}`}
          actionLabel="Save roles"
          running={rolesState.running}
          onDismiss={close}
          onAction={() =>
            void setUserRoles({ username: dialog.user.username, roles }).then((r) => (r.error ? setDialogError(r.error) : finish(`Roles of ${dialog.user.username} saved; they apply from the next sign-in.`)))
          }
        >
          <SpaceBetween size="m">
            <RolesField roles={roles} onChange={setRoles} errorText={fieldError(dialogError, 'roles')} />
            {!allProblemsPlaced(dialogError, ['roles']) && <ErrorAlert error={dialogError} />}
          </SpaceBetween>
        </ActionModal>
      )}
      {dialog?.kind === 'password' && (
        <ActionModal
          header={`Reset the password of ${dialog.user.username}`}
          actionLabel="Reset password"
          running={passwordState.running}
          onDismiss={close}
          onAction={() => void setUserPassword({ username: dialog.user.username, password }).then((r) => (r.error ? setDialogError(r.error) : finish(`Password of ${dialog.user.username} reset.`)))}
        >
          <SpaceBetween size="m">
            <FormField label="New password" description="At least 12 characters. Tell the user, who should change it." errorText={fieldError(dialogError, 'password')}>
              <Input type="password" value={password} onChange={({ detail }) => setPassword(detail.value)} autoComplete="new-password" />
            </FormField>
            {!allProblemsPlaced(dialogError, ['password']) && <ErrorAlert error={dialogError} />}
          </SpaceBetween>
        </ActionModal>
      )}
      {dialog?.kind === 'delete' && (
        <ActionModal
          header={`Delete user ${dialog.user.username}`}
          actionLabel="Delete"
          running={deleteState.running}
          onDismiss={close}
          onAction={() =>
            void deleteUser({ username: dialog.user.username }).then((r) => {
              if (r.error) setDialogError(r.error);
              else {
                setSelected([]);
                finish(`User ${dialog.user.username} deleted.`);
              }
            })
          }
        >
          <SpaceBetween size="m">
            <Box>{dialog.user.username} will no longer be able to sign in. A token already issued stays valid until it expires.</Box>
            <ErrorAlert error={dialogError} />
          </SpaceBetween>
        </ActionModal>
      )}
    </>
  );
}

export function UsersTab(): ReactNode {
  const session = useSession();
  const authMode = useAuthMode();
  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Your account</Header>}>
        <SpaceBetween size="l">
          <KeyValuePairs
            columns={2}
            items={[
              { label: 'User name', value: session.username },
              { label: 'Roles', value: session.roles.length > 0 ? session.roles.join(', ') : 'None' },
            ]}
          />
          {authMode === 'local' ? (
            <ChangeOwnPassword />
          ) : (
            <Box color="text-body-secondary">Your password is managed by the organisation's sign-in (Cognito): use its "Forgot password" to change it, or ask an Admin.</Box>
          )}
        </SpaceBetween>
      </Container>
      {session.may('admin') ? (
        <UserAdministration />
      ) : (
        <Alert type="info" header="Users are managed by Admins">
          Only an Admin can create users and change their roles.
        </Alert>
      )}
    </SpaceBetween>
  );
}
