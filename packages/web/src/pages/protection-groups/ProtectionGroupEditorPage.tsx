/**
 * Creates a protection group or replaces one's definition: name, account and region, explicit
 * servers (the picker), tag selectors with a live preview of the members, launch defaults and
 * per-server overrides, post-launch actions, verification. The server's field problems are shown
 * at the fields they name; nothing is saved while any remains.
 */
import { useEffect, useMemo, useState } from 'react';
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { useNavigate, useParams } from 'react-router';
import { useGraphQLMutation, useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { FormActions } from '../../components/FormActions.js';
import { Page } from '../../layout/page.js';
import { useNotify } from '../../layout/notifications.js';
import { CREATE_GROUP_MUTATION, PROTECTION_GROUP_QUERY, TARGET_ACCOUNTS_QUERY, UPDATE_GROUP_MUTATION } from './api.js';
import type { CreateGroupData, LaunchActionCategory, ProtectionGroup, ProtectionGroupData, TargetAccountsData, UpdateGroupData } from './api.js';
import { EMPTY_LAUNCH, emptyGroupForm, groupFormOf, problemsAtRows, toGroupInput } from './group-form.js';
import type { GroupForm, InputObject, PostLaunchActionForm } from './group-form.js';
import { errorTextAt } from './form-support.js';
import type { FieldProblem } from './form-support.js';
import { GroupPreview } from './GroupPreview.js';
import { LaunchSettingsFields } from './LaunchSettingsFields.js';
import { ServerPicker, useSiteServers } from './ServerPicker.js';
import { TagSelectorsEditor } from './TagSelectorsEditor.js';
import { VerificationFields } from './VerificationFields.js';

const GROUPS_CRUMB = { text: 'Protection groups', href: '/protection-groups' };

export default function ProtectionGroupEditorPage(): JSX.Element {
  const { id } = useParams();
  const { may } = useSession();
  const existing = useGraphQLQuery<ProtectionGroupData, { id: string }>(PROTECTION_GROUP_QUERY, { id: id ?? '' }, { pause: id === undefined });
  const title = id ? 'Edit protection group' : 'Create protection group';
  const crumbs = id ? [GROUPS_CRUMB, { text: existing.data?.protectionGroup?.name ?? id, href: `/protection-groups/${id}` }, { text: 'Edit', href: `/protection-groups/${id}/edit` }] : [GROUPS_CRUMB, { text: 'Create', href: '/protection-groups/new' }];

  if (!may('plan:write')) {
    return (
      <Page title={title} breadcrumbs={crumbs}>
        <Alert type="info" header="Read only">
          Creating and changing protection groups needs the PlanAuthor or Admin role.
        </Alert>
      </Page>
    );
  }
  if (id === undefined) return <GroupEditor title={title} crumbs={crumbs} initial={emptyGroupForm()} />;
  if (existing.loading) {
    return (
      <Page title={title} breadcrumbs={crumbs}>
        <Box textAlign="center" padding="l">
          <Spinner size="large" /> Loading the protection group
        </Box>
      </Page>
    );
  }
  const group = existing.data?.protectionGroup;
  if (existing.error || !group) {
    return (
      <Page title={title} breadcrumbs={crumbs}>
        {existing.error ? <ErrorAlert error={existing.error} onRetry={existing.refetch} /> : <Alert type="error" header="Not found">{`There is no protection group ${id}.`}</Alert>}
      </Page>
    );
  }
  return <GroupEditor key={`${group.id}@${group.revision}`} title={title} crumbs={crumbs} initial={groupFormOf(group)} group={group} />;
}

const CATEGORIES: SelectProps.Option[] = (['OTHER', 'MONITORING', 'VALIDATION', 'CONFIGURATION', 'SECURITY'] as const).map((c) => ({ value: c, label: c.charAt(0) + c.slice(1).toLowerCase() }));

function GroupEditor(props: { title: string; crumbs: { text: string; href: string }[]; initial: GroupForm; group?: ProtectionGroup }): JSX.Element {
  const { group } = props;
  const navigate = useNavigate();
  const notify = useNotify();
  const [form, setForm] = useState<GroupForm>(props.initial);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const accounts = useGraphQLQuery<TargetAccountsData>(TARGET_ACCOUNTS_QUERY);
  const servers = useSiteServers(form.accountId, form.region);
  const [create, creating] = useGraphQLMutation<CreateGroupData, { input: InputObject }>(CREATE_GROUP_MUTATION);
  const [update, updating] = useGraphQLMutation<UpdateGroupData, { input: InputObject }>(UPDATE_GROUP_MUTATION);
  const saving = creating.running || updating.running;

  const siteOptions: SelectProps.Option[] = useMemo(
    () => (accounts.data?.targetAccounts ?? []).flatMap((a) => a.regions.map((r) => ({ value: `${a.accountId}/${r}`, label: `${a.accountId} / ${r}`, description: a.isDefault ? 'The account Lifeboat runs in' : undefined }))),
    [accounts.data],
  );
  const site = form.accountId && form.region ? `${form.accountId}/${form.region}` : '';

  // One account and region only: nothing to choose.
  useEffect(() => {
    const only = siteOptions.length === 1 ? siteOptions[0]?.value : undefined;
    if (!site && only) {
      const [accountId = '', region = ''] = only.split('/');
      setForm((f) => ({ ...f, accountId, region }));
    }
  }, [site, siteOptions]);

  const set = (patch: Partial<GroupForm>): void => setForm((f) => ({ ...f, ...patch }));
  const at = (path: string): string | undefined => errorTextAt(problems, path);
  const knownTags = useMemo(() => servers.items.flatMap((s) => s.tags), [servers.items]);
  const hostnameOf = useMemo(() => new Map(servers.items.map((s) => [s.id, s.hostname])), [servers.items]);
  const serverOptions: SelectProps.Option[] = servers.items.map((s) => ({ value: s.id, label: s.hostname, description: s.id }));

  const save = async (): Promise<void> => {
    setError(undefined);
    const { input, problems: local } = toGroupInput(form);
    if (local.length > 0) {
      setProblems(local);
      setError({ code: 'BAD_USER_INPUT', message: 'Fix the fields marked below.', problems: local });
      return;
    }
    setProblems([]);
    const result = group
      ? await update({ input: { ...input, id: group.id, expectedRevision: group.revision } }).then((r) => ({ error: r.error, saved: r.data?.updateProtectionGroup }))
      : await create({ input }).then((r) => ({ error: r.error, saved: r.data?.createProtectionGroup }));
    if (result.error) {
      const fieldProblems = result.error.problems ?? (result.error.field ? [{ field: result.error.field, message: result.error.message }] : []);
      setProblems(problemsAtRows(form, fieldProblems));
      setError(result.error);
      return;
    }
    if (result.saved) {
      notify({ type: 'success', content: `Protection group ${result.saved.name} ${group ? 'saved' : 'created'} with ${result.saved.sourceServerIds.length} members.` });
      void navigate(`/protection-groups/${encodeURIComponent(result.saved.id)}`);
    }
  };

  const setAction = (row: number, patch: Partial<PostLaunchActionForm>): void => set({ postLaunchActions: form.postLaunchActions.map((a, i) => (i === row ? { ...a, ...patch } : a)) });

  return (
    <Page title={props.title} breadcrumbs={props.crumbs} description="A server of the account and region is a member when it is selected, or carries every tag of a selector.">
      <Form
        actions={
          <FormActions
            submitLabel={group ? 'Save changes' : 'Create protection group'}
            submitting={saving}
            submitTestId="save-group"
            onSubmit={() => void save()}
            onCancel={() => void navigate(group ? `/protection-groups/${encodeURIComponent(group.id)}` : '/protection-groups')}
          />
        }
      >
        <SpaceBetween size="l">
          {error?.code === 'CONFLICT' ? (
            <Alert type="error" header="Not saved: conflict">
              {error.message}
              <Box variant="p">
                {group
                  ? 'Either someone changed this group since you opened it (reload to see their change, then edit again), or a server you chose belongs to another group: a server is in at most one group.'
                  : 'A server you chose belongs to another group: a server is in at most one group. Remove it, or take it out of that group first.'}
              </Box>
            </Alert>
          ) : (
            <ErrorAlert error={error} />
          )}
          <Container header={<Header variant="h2">General</Header>}>
            <ColumnLayout columns={2}>
              <FormField label="Name" description="Unique, whatever the case." errorText={at('name')}>
                <Input value={form.name} placeholder="Orders database" onChange={({ detail }) => set({ name: detail.value })} />
              </FormField>
              <FormField label="Account and region" description="A group holds servers of one account and region." errorText={at('accountId') ?? at('region') ?? (accounts.error ? accounts.error.message : undefined)}>
                <Select
                  selectedOption={siteOptions.find((o) => o.value === site) ?? (site ? { value: site, label: site.replace('/', ' / ') } : null)}
                  options={siteOptions}
                  placeholder="Choose an account and region"
                  statusType={accounts.loading ? 'loading' : 'finished'}
                  loadingText="Loading accounts"
                  empty="No target accounts: add one in Settings."
                  onChange={({ detail }) => {
                    const [accountId = '', region = ''] = (detail.selectedOption.value ?? '').split('/');
                    if (accountId === form.accountId && region === form.region) return;
                    // Servers of another account or region cannot be members.
                    set({ accountId, region, explicitServerIds: [], launchOverrides: [] });
                  }}
                />
              </FormField>
            </ColumnLayout>
          </Container>
          <ServerPicker
            servers={servers}
            noSite={site === ''}
            groupId={group?.id}
            selectedIds={form.explicitServerIds}
            onChange={(ids) => set({ explicitServerIds: ids })}
            errorText={at('sourceServerIds')}
          />
          <Container header={<Header variant="h2" description="Members by tags: servers added later join the group when they carry the tags.">Tag selectors</Header>}>
            <TagSelectorsEditor selectors={form.tagSelectors} onChange={(tagSelectors) => set({ tagSelectors })} knownTags={knownTags} problems={problems} />
          </Container>
          <GroupPreview definition={{ ...(group ? { id: group.id } : {}), accountId: form.accountId, region: form.region, sourceServerIds: form.explicitServerIds, tagSelectors: form.tagSelectors }} />
          <Container header={<Header variant="h2" description="How the members' recovery instances launch. Empty fields keep what DRS has.">Launch settings</Header>}>
            <SpaceBetween size="l">
              <LaunchSettingsFields label="Launch defaults" value={form.launchDefaults} onChange={(launchDefaults) => set({ launchDefaults })} path="launchDefaults" problems={problems} />
              <SpaceBetween size="s">
                <Box variant="h3">Per-server overrides</Box>
                {form.launchOverrides.length === 0 && <Box color="text-status-inactive">Every member launches with the defaults.</Box>}
                {form.launchOverrides.map((override, index) => (
                  <ExpandableSection
                    key={index}
                    defaultExpanded
                    variant="container"
                    headerText={hostnameOf.get(override.sourceServerId) ?? (override.sourceServerId || `Override ${index + 1}`)}
                    headerActions={
                      <Button onClick={() => set({ launchOverrides: form.launchOverrides.filter((_, i) => i !== index) })} ariaLabel={`Remove override ${index + 1}`}>
                        Remove
                      </Button>
                    }
                  >
                    <SpaceBetween size="m">
                      <FormField label="Server" errorText={at(`serverLaunchOverrides[${index}].sourceServerId`)}>
                        <Select
                          selectedOption={serverOptions.find((o) => o.value === override.sourceServerId) ?? null}
                          options={serverOptions}
                          filteringType="auto"
                          placeholder="Choose a member"
                          ariaLabel={`Override ${index + 1} server`}
                          onChange={({ detail }) => set({ launchOverrides: form.launchOverrides.map((o, i) => (i === index ? { ...o, sourceServerId: detail.selectedOption.value ?? '' } : o)) })}
                        />
                      </FormField>
                      <LaunchSettingsFields
                        label={`Override ${index + 1}`}
                        value={override}
                        onChange={(value) => set({ launchOverrides: form.launchOverrides.map((o, i) => (i === index ? { ...value, sourceServerId: o.sourceServerId } : o)) })}
                        path={`serverLaunchOverrides[${index}]`}
                        problems={problems}
                      />
                    </SpaceBetween>
                  </ExpandableSection>
                ))}
                <Button iconName="add-plus" onClick={() => set({ launchOverrides: [...form.launchOverrides, { ...EMPTY_LAUNCH, sourceServerId: '' }] })}>
                  Add override
                </Button>
              </SpaceBetween>
            </SpaceBetween>
          </Container>
          <Container header={<Header variant="h2" description="SSM documents DRS runs on each recovered member after launch, in this order.">Post-launch actions</Header>}>
            <AttributeEditor<PostLaunchActionForm>
              items={form.postLaunchActions}
              addButtonText="Add post-launch action"
              removeButtonText="Remove"
              empty="No post-launch actions."
              onAddButtonClick={() => set({ postLaunchActions: [...form.postLaunchActions, { documentName: '', documentVersion: '', category: 'OTHER', optional: true, description: '', parameters: [] }] })}
              onRemoveButtonClick={({ detail }) => set({ postLaunchActions: form.postLaunchActions.filter((_, i) => i !== detail.itemIndex) })}
              definition={[
                { label: 'SSM document', control: (a, i) => <Input value={a.documentName} ariaLabel={`Post-launch action ${i + 1} SSM document`} placeholder="AWS-RunShellScript" onChange={({ detail }) => setAction(i, { documentName: detail.value })} />, errorText: (_a, i) => at(`postLaunchActions[${i}].documentName`) },
                { label: 'Version', control: (a, i) => <Input value={a.documentVersion} ariaLabel={`Post-launch action ${i + 1} version`} placeholder="$DEFAULT" onChange={({ detail }) => setAction(i, { documentVersion: detail.value })} />, errorText: (_a, i) => at(`postLaunchActions[${i}].documentVersion`) },
                {
                  label: 'Category',
                  control: (a, i) => (
                    <Select selectedOption={CATEGORIES.find((c) => c.value === a.category) ?? null} options={CATEGORIES} ariaLabel={`Post-launch action ${i + 1} category`} onChange={({ detail }) => setAction(i, { category: (detail.selectedOption.value ?? 'OTHER') as LaunchActionCategory })} />
                  ),
                },
                { label: 'Description', control: (a, i) => <Input value={a.description} ariaLabel={`Post-launch action ${i + 1} description`} onChange={({ detail }) => setAction(i, { description: detail.value })} />, errorText: (_a, i) => at(`postLaunchActions[${i}].description`) },
                {
                  label: 'Failure',
                  control: (a, i) => (
                    <Checkbox checked={!a.optional} ariaLabel={`Post-launch action ${i + 1} failure fails the launch`} onChange={({ detail }) => setAction(i, { optional: !detail.checked })}>
                      Fails the launch
                    </Checkbox>
                  ),
                  errorText: (_a, i) => at(`postLaunchActions[${i}].parameters`) ?? at(`postLaunchActions[${i}].optional`),
                },
              ]}
            />
          </Container>
          <Container header={<Header variant="h2" description="How recovered members are proved healthy. Empty fields take the default.">Verification</Header>}>
            <VerificationFields value={form.verification} onChange={(verification) => set({ verification })} problems={problems} />
          </Container>
          {form.verificationOverrides.length > 0 && (
            <Alert type="info">{`${form.verificationOverrides.length} per-server verification override${form.verificationOverrides.length === 1 ? ' is' : 's are'} kept as they are (see the group's Verification tab; import a configuration document to change them).`}</Alert>
          )}
        </SpaceBetween>
      </Form>
    </Page>
  );
}
