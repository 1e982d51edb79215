/**
 * Settings > Notification channels: where messages go (SNS, e-mail, Slack, Teams, webhooks), a
 * test message per channel, and which events of each plan go to which channel. Reading is for
 * everyone; changing is for Admins. Channel secrets are write-only.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Multiselect from '@cloudscape-design/components/multiselect';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { gql, useGraphQLMutation, useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ActionModal } from '../../components/ActionModal.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { FormActions } from '../../components/FormActions.js';
import { allProblemsPlaced, fieldError } from '../../components/fieldErrors.js';
import { formatAge, useNow } from '../../components/time.js';
import { useNotify } from '../../layout/notifications.js';

const CHANNEL_FIELDS = 'id name type topicArn address url hasSecret createdAt updatedAt';

const CHANNELS = gql`
  query SettingsNotificationChannels {
    notificationChannels { ${CHANNEL_FIELDS} }
  }
`;

const CREATE_CHANNEL = gql`
  mutation CreateNotificationChannel($input: CreateNotificationChannelInput!) {
    createNotificationChannel(input: $input) { ${CHANNEL_FIELDS} }
  }
`;

const DELETE_CHANNEL = gql`
  mutation DeleteNotificationChannel($id: ID!) {
    deleteNotificationChannel(id: $id) {
      id
    }
  }
`;

const TEST_CHANNEL = gql`
  mutation TestNotificationChannel($id: ID!) {
    testNotificationChannel(id: $id) {
      id
      status
      subject
    }
  }
`;

const PLANS = gql`
  query SettingsNotificationPlans {
    recoveryPlans(first: 1000) {
      items {
        id
        name
      }
    }
  }
`;

const SUBSCRIPTIONS = gql`
  query SettingsNotificationSubscriptions($planId: ID) {
    notificationSubscriptions(planId: $planId) {
      planId
      channelId
      events
      updatedAt
    }
  }
`;

const SET_SUBSCRIPTION = gql`
  mutation SetNotificationSubscription($input: NotificationSubscriptionInput!) {
    setNotificationSubscription(input: $input) {
      planId
      channelId
      events
      updatedAt
    }
  }
`;

const REMOVE_SUBSCRIPTION = gql`
  mutation RemoveNotificationSubscription($planId: ID!, $channelId: ID!) {
    removeNotificationSubscription(planId: $planId, channelId: $channelId) {
      planId
      channelId
    }
  }
`;

type ChannelType = 'SNS_TOPIC' | 'EMAIL' | 'SLACK_WEBHOOK' | 'TEAMS_WEBHOOK' | 'WEBHOOK';

interface NotificationChannel {
  id: string;
  name: string;
  type: ChannelType;
  topicArn: string | null;
  address: string | null;
  url: string | null;
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

interface NotificationSubscription {
  planId: string;
  channelId: string;
  events: string[];
  updatedAt: string;
}

const CHANNEL_TYPES: { value: ChannelType; label: string; description: string }[] = [
  { value: 'SNS_TOPIC', label: 'Amazon SNS topic', description: 'Publishes to a topic (locally: kept in the outbox)' },
  { value: 'EMAIL', label: 'E-mail', description: 'Through SNS e-mail (locally: kept in the outbox)' },
  { value: 'SLACK_WEBHOOK', label: 'Slack webhook', description: 'An incoming-webhook URL of a Slack channel' },
  { value: 'TEAMS_WEBHOOK', label: 'Microsoft Teams webhook', description: 'An incoming-webhook URL of a Teams channel' },
  { value: 'WEBHOOK', label: 'Signed webhook', description: 'POSTs JSON signed with a shared secret' },
];

const EVENT_KINDS: { value: string; label: string }[] = [
  { value: 'STARTED', label: 'Started' },
  { value: 'WAVE_COMPLETED', label: 'Wave completed' },
  { value: 'APPROVAL_REQUESTED', label: 'Approval requested' },
  { value: 'FAILED', label: 'Failed' },
  { value: 'COMPLETED', label: 'Completed' },
  { value: 'CLEANUP', label: 'Drill clean-up' },
];

function channelTypeLabel(type: string): string {
  return CHANNEL_TYPES.find((t) => t.value === type)?.label ?? type;
}

function destination(channel: NotificationChannel): string {
  return channel.topicArn ?? channel.address ?? channel.url ?? '-';
}

const CHANNEL_FIELD_NAMES = ['name', 'type', 'topicArn', 'address', 'url', 'secret'];

function CreateChannelForm(props: { onDone: (channel: NotificationChannel) => void; onCancel: () => void }): ReactNode {
  const [name, setName] = useState('');
  const [type, setType] = useState<ChannelType>('SLACK_WEBHOOK');
  const [target, setTarget] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [create, state] = useGraphQLMutation<{ createNotificationChannel: NotificationChannel }, { input: Record<string, string> }>(CREATE_CHANNEL);
  const targetField = type === 'SNS_TOPIC' ? 'topicArn' : type === 'EMAIL' ? 'address' : 'url';
  const submit = async () => {
    setError(undefined);
    const input: Record<string, string> = { name: name.trim(), type, [targetField]: target.trim() };
    if (type === 'WEBHOOK' && secret) input.secret = secret;
    const result = await create({ input });
    if (result.error) setError(result.error);
    else if (result.data) props.onDone(result.data.createNotificationChannel);
  };
  const typeOptions: SelectProps.Option[] = CHANNEL_TYPES;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Form
        actions={<FormActions submitLabel="Create channel" submitting={state.running} onCancel={props.onCancel} />}
        errorText={error && !allProblemsPlaced(error, CHANNEL_FIELD_NAMES) ? <ErrorAlert error={error} /> : undefined}
      >
        <SpaceBetween size="m">
          <FormField label="Name" errorText={fieldError(error, 'name')}>
            <Input value={name} onChange={({ detail }) => setName(detail.value)} placeholder="DR team on Slack" />
          </FormField>
          <FormField label="Type" errorText={fieldError(error, 'type')}>
            <Select
              selectedOption={typeOptions.find((o) => o.value === type) ?? null}
              options={typeOptions}
              onChange={({ detail }) => {
                setType(detail.selectedOption.value as ChannelType);
                setTarget('');
              }}
            />
          </FormField>
          <FormField
            label={type === 'SNS_TOPIC' ? 'Topic ARN' : type === 'EMAIL' ? 'E-mail address' : 'Webhook URL'}
            description={type === 'SLACK_WEBHOOK' || type === 'TEAMS_WEBHOOK' ? 'Kept as a secret: only its origin is shown afterwards.' : type === 'WEBHOOK' ? 'https (http only to localhost).' : undefined}
            errorText={fieldError(error, targetField)}
          >
            <Input
              value={target}
              onChange={({ detail }) => setTarget(detail.value)}
              type={type === 'SLACK_WEBHOOK' || type === 'TEAMS_WEBHOOK' ? 'password' : 'text'}
              placeholder={type === 'SNS_TOPIC' ? 'arn:aws:sns:us-east-1:111122223333:dr-alerts' : type === 'EMAIL' ? 'dr-team@example.com' : 'https://...'}
            />
          </FormField>
          {type === 'WEBHOOK' && (
            <FormField label="Signing secret" description="16 to 1024 characters; write-only." errorText={fieldError(error, 'secret')}>
              <Input type="password" value={secret} onChange={({ detail }) => setSecret(detail.value)} autoComplete="new-password" />
            </FormField>
          )}
        </SpaceBetween>
      </Form>
    </form>
  );
}

function PlanSubscriptions(props: { channels: NotificationChannel[]; isAdmin: boolean }): ReactNode {
  const notify = useNotify();
  const plans = useGraphQLQuery<{ recoveryPlans: { items: { id: string; name: string }[] } }>(PLANS);
  const [planId, setPlanId] = useState<string | undefined>(undefined);
  const planOptions: SelectProps.Option[] = (plans.data?.recoveryPlans.items ?? []).map((p) => ({ value: p.id, label: p.name }));
  const effectivePlanId = planId ?? planOptions[0]?.value;
  const subscriptions = useGraphQLQuery<{ notificationSubscriptions: NotificationSubscription[] }, { planId: string }>(SUBSCRIPTIONS, { planId: effectivePlanId ?? '' }, { pause: !effectivePlanId });
  const [editing, setEditing] = useState<{ channelId: string | undefined; events: string[] } | undefined>(undefined);
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [setSubscription, setState] = useGraphQLMutation<{ setNotificationSubscription: NotificationSubscription }, { input: { planId: string; channelId: string; events: string[] } }>(SET_SUBSCRIPTION);
  const [removeSubscription] = useGraphQLMutation<{ removeNotificationSubscription: { planId: string } }, { planId: string; channelId: string }>(REMOVE_SUBSCRIPTION);
  const channelName = (id: string) => props.channels.find((c) => c.id === id)?.name ?? id;
  const channelOptions: SelectProps.Option[] = props.channels.map((c) => ({ value: c.id, label: c.name, description: channelTypeLabel(c.type) }));

  return (
    <>
      <Table
        data-testid="notification-subscriptions"
        variant="container"
        items={subscriptions.data?.notificationSubscriptions ?? []}
        trackBy="channelId"
        loading={subscriptions.loading || plans.loading}
        loadingText="Loading subscriptions"
        header={
          <Header
            variant="h2"
            description="Which events of a recovery plan's executions go to which channel"
            actions={
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                <div style={{ minWidth: 220 }}>
                  <Select
                    inlineLabelText="Plan"
                    selectedOption={planOptions.find((o) => o.value === effectivePlanId) ?? null}
                    options={planOptions}
                    placeholder="Choose a plan"
                    empty="No recovery plans"
                    onChange={({ detail }) => setPlanId(detail.selectedOption.value)}
                  />
                </div>
                {props.isAdmin && (
                  <Button
                    disabled={!effectivePlanId || props.channels.length === 0}
                    onClick={() => {
                      setError(undefined);
                      setEditing({ channelId: props.channels[0]?.id, events: EVENT_KINDS.map((e) => e.value) });
                    }}
                  >
                    Subscribe a channel
                  </Button>
                )}
              </SpaceBetween>
            }
          >
            Plan subscriptions
          </Header>
        }
        empty={
          plans.error || subscriptions.error ? (
            <ErrorAlert error={plans.error ?? subscriptions.error} onRetry={subscriptions.refetch} />
          ) : (
            <EmptyState title={effectivePlanId ? 'No channel gets this plan\u2019s events' : 'No recovery plans'} subtitle={effectivePlanId ? 'Messages are still recorded in the outbox.' : undefined} />
          )
        }
        columnDefinitions={[
          { id: 'channel', header: 'Channel', cell: (s) => channelName(s.channelId) },
          { id: 'events', header: 'Events', cell: (s) => s.events.map((e) => EVENT_KINDS.find((k) => k.value === e)?.label ?? e).join(', ') },
          {
            id: 'actions',
            header: 'Actions',
            cell: (s) =>
              props.isAdmin ? (
                <SpaceBetween direction="horizontal" size="xs">
                  <Button variant="inline-link" onClick={() => setEditing({ channelId: s.channelId, events: s.events })} ariaLabel={`Change the events sent to ${channelName(s.channelId)}`}>
                    Change
                  </Button>
                  <Button
                    variant="inline-link"
                    ariaLabel={`Unsubscribe ${channelName(s.channelId)}`}
                    onClick={() =>
                      void removeSubscription({ planId: s.planId, channelId: s.channelId }).then((r) => {
                        if (r.error) notify({ type: 'error', header: 'Could not unsubscribe', content: r.error.message });
                        else subscriptions.refetch();
                      })
                    }
                  >
                    Unsubscribe
                  </Button>
                </SpaceBetween>
              ) : (
                '-'
              ),
          },
        ]}
      />
      {editing && effectivePlanId && (
        <ActionModal
          header="Plan subscription"
          actionLabel="Save"
          running={setState.running}
          actionDisabled={!editing.channelId}
          onDismiss={() => setEditing(undefined)}
          onAction={() =>
            void setSubscription({ input: { planId: effectivePlanId, channelId: editing.channelId ?? '', events: editing.events } }).then((r) => {
              if (r.error) {
                setError(r.error);
                return;
              }
              setEditing(undefined);
              notify({ type: 'success', content: `${channelName(editing.channelId ?? '')} subscribed.` });
              subscriptions.refetch();
            })
          }
        >
          <SpaceBetween size="m">
            <FormField label="Channel" errorText={fieldError(error, 'channelId')}>
              <Select selectedOption={channelOptions.find((o) => o.value === editing.channelId) ?? null} options={channelOptions} onChange={({ detail }) => setEditing({ ...editing, channelId: detail.selectedOption.value })} />
            </FormField>
            <FormField label="Events" errorText={fieldError(error, 'events')}>
              <Multiselect
                selectedOptions={EVENT_KINDS.filter((k) => editing.events.includes(k.value))}
                options={EVENT_KINDS}
                onChange={({ detail }) => setEditing({ ...editing, events: detail.selectedOptions.map((o) => o.value ?? '').filter((v) => v !== '') })}
                placeholder="Choose events"
              />
            </FormField>
            {!allProblemsPlaced(error, ['channelId', 'events']) && <ErrorAlert error={error} />}
          </SpaceBetween>
        </ActionModal>
      )}
    </>
  );
}

export function NotificationsTab(): ReactNode {
  const session = useSession();
  const notify = useNotify();
  const now = useNow(60_000);
  const isAdmin = session.may('admin');
  const query = useGraphQLQuery<{ notificationChannels: NotificationChannel[] }>(CHANNELS);
  const [selected, setSelected] = useState<NotificationChannel[]>([]);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<NotificationChannel | undefined>(undefined);
  const [deleteError, setDeleteError] = useState<ConsoleError | undefined>(undefined);
  const [deleteChannel, deleteState] = useGraphQLMutation<{ deleteNotificationChannel: { id: string } }, { id: string }>(DELETE_CHANNEL);
  const [testChannel, testState] = useGraphQLMutation<{ testNotificationChannel: { id: string; status: string; subject: string } }, { id: string }>(TEST_CHANNEL);
  const channels = query.data?.notificationChannels ?? [];
  const current = selected[0] ? channels.find((c) => c.id === selected[0]?.id) : undefined;

  return (
    <SpaceBetween size="l">
      {!isAdmin && (
        <Alert type="info" header="Read only">
          Only an Admin can create, test or delete channels and change plan subscriptions.
        </Alert>
      )}
      <Table
        data-testid="notification-channels"
        variant="container"
        items={channels}
        trackBy="id"
        loading={query.loading}
        loadingText="Loading channels"
        selectionType={isAdmin ? 'single' : undefined}
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{ selectionGroupLabel: 'Channels', itemSelectionLabel: (_, c) => `Select channel ${c.name}`, allItemsSelectionLabel: () => 'Select all channels' }}
        header={
          <Header
            variant="h2"
            counter={query.data ? `(${channels.length})` : undefined}
            description="Where execution messages and approval requests go"
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh channels" onClick={query.refetch} />
                {isAdmin && (
                  <>
                    <Button
                      disabled={!current}
                      loading={testState.running}
                      onClick={() =>
                        current &&
                        void testChannel({ id: current.id }).then((r) =>
                          r.error
                            ? notify({ type: 'error', header: 'Test failed', content: r.error.message })
                            : notify({ type: 'info', header: `Test message queued to ${current.name}`, content: `Delivery ${r.data?.testNotificationChannel.id ?? ''} is ${r.data?.testNotificationChannel.status ?? 'queued'}.` }),
                        )
                      }
                    >
                      Send test message
                    </Button>
                    <Button
                      disabled={!current}
                      onClick={() => {
                        setDeleteError(undefined);
                        setDeleting(current);
                      }}
                    >
                      Delete
                    </Button>
                    <Button variant="primary" onClick={() => setCreating(true)}>
                      Create channel
                    </Button>
                  </>
                )}
              </SpaceBetween>
            }
          >
            Notification channels
          </Header>
        }
        empty={query.error ? <ErrorAlert error={query.error} onRetry={query.refetch} /> : <EmptyState title="No channels" subtitle="Messages are recorded in the outbox; add a channel to send them." />}
        columnDefinitions={[
          { id: 'name', header: 'Name', cell: (c) => c.name, isRowHeader: true },
          { id: 'type', header: 'Type', cell: (c) => channelTypeLabel(c.type) },
          { id: 'destination', header: 'Destination', cell: (c) => destination(c) },
          { id: 'secret', header: 'Secret', cell: (c) => (c.hasSecret ? 'Stored' : '-') },
          { id: 'updated', header: 'Changed', cell: (c) => formatAge(c.updatedAt, now) },
        ]}
      />
      <PlanSubscriptions channels={channels} isAdmin={isAdmin} />
      {creating && (
        <Modal visible onDismiss={() => setCreating(false)} header="Create notification channel" closeAriaLabel="Close">
          <CreateChannelForm
            onCancel={() => setCreating(false)}
            onDone={(channel) => {
              setCreating(false);
              notify({ type: 'success', content: `Channel ${channel.name} created.` });
              query.refetch();
            }}
          />
        </Modal>
      )}
      {deleting && (
        <ActionModal
          header={`Delete channel ${deleting.name}`}
          actionLabel="Delete"
          running={deleteState.running}
          onDismiss={() => setDeleting(undefined)}
          onAction={() =>
            void deleteChannel({ id: deleting.id }).then((r) => {
              if (r.error) {
                setDeleteError(r.error);
                return;
              }
              setDeleting(undefined);
              setSelected([]);
              notify({ type: 'success', content: `Channel ${deleting.name} deleted.` });
              query.refetch();
            })
          }
        >
          <SpaceBetween size="m">
            <Box>The channel, its secret and its plan subscriptions are deleted.</Box>
            <ErrorAlert error={deleteError} />
          </SpaceBetween>
        </ActionModal>
      )}
    </SpaceBetween>
  );
}
