/** One wave of the builder: name, dependencies, protection groups and single servers, launch order with boot order, error policy, steps. */
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import type { MultiselectProps } from '@cloudscape-design/components/multiselect';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { GROUP_SEARCH_QUERY, SERVER_SEARCH_QUERY } from './api.js';
import type { BuilderGroup, BuilderGroupsData, BuilderServer, BuilderServersData } from './api.js';
import { BootOrderList } from './BootOrderList.js';
import type { PlanCatalog } from './plan-catalog.js';
import { dependenciesOf, dependentsOf, serversInOrder } from './plan-form.js';
import type { MembersOf, WaveForm } from './plan-form.js';
import { SearchMultiselect } from './SearchMultiselect.js';
import { useSearchOptions } from './search-options.js';
import { StepsEditor } from './StepsEditor.js';

const ERROR_POLICIES = [
  { value: 'STOP', label: 'Stop the plan', description: 'A failed wave stops the plan' },
  { value: 'CONTINUE', label: 'Continue', description: 'The waves that do not need this one go on' },
];

function values(options: readonly MultiselectProps.Option[]): string[] {
  return options.map((o) => o.value ?? '').filter((v) => v !== '');
}

const pickGroups = (data: BuilderGroupsData) => data.protectionGroups;
const pickServers = (data: BuilderServersData) => data.sourceServers;

function serverOption(id: string, server: BuilderServer | null | undefined): MultiselectProps.Option {
  return { value: id, label: server?.hostname || id, description: id };
}

export function WaveEditor(props: {
  index: number;
  wave: WaveForm;
  waves: readonly WaveForm[];
  /** The groups and servers the plan names (and those the pickers found). */
  catalog: PlanCatalog;
  membersOf: MembersOf;
  onChange: (wave: WaveForm) => void;
  onRemove: () => void;
  errorAt: (path: string) => string | undefined;
  highlighted: boolean;
}): JSX.Element {
  const { wave, index, waves, catalog, errorAt } = props;
  const { groups, servers, remember } = catalog;
  const at = `waves[${index}]`;
  const set = (patch: Partial<WaveForm>): void => props.onChange({ ...wave, ...patch });
  const label = wave.name.trim() || `Wave ${index + 1}`;

  // A wave cannot depend on itself or on a wave that (in)directly depends on it: that would be a cycle.
  const after = dependentsOf(waves, wave.key);
  const dependencyOptions: MultiselectProps.Option[] = waves
    .filter((w) => w.key !== wave.key)
    .map((w, i) => ({
      value: w.key,
      label: w.name.trim() || `Wave ${i + 1}`,
      disabled: after.has(w.key),
      description: after.has(w.key) ? `Runs after ${label}: it would make a cycle` : undefined,
    }));
  const groupUsedBy = new Map<string, string>();
  waves.forEach((w, i) => {
    if (w.key !== wave.key) w.protectionGroupIds.forEach((g) => groupUsedBy.set(g, w.name.trim() || `Wave ${i + 1}`));
  });
  const groupOption = (g: BuilderGroup): MultiselectProps.Option => ({
    value: g.id,
    label: g.name,
    description: `${g.sourceServerIds.length} server${g.sourceServerIds.length === 1 ? '' : 's'} · ${g.accountId} / ${g.region}${groupUsedBy.has(g.id) ? ` · in wave ${groupUsedBy.get(g.id)}` : ''}`,
  });
  // The pickers ask the API as they open and as the user types: the inventory is too large to list.
  const groupSearch = useSearchOptions(GROUP_SEARCH_QUERY, pickGroups, (found: BuilderGroup[]) => remember({ groups: found }));
  const serverSearch = useSearchOptions(SERVER_SEARCH_QUERY, pickServers, (found: BuilderServer[]) => remember({ servers: found }));
  const groupOptions = groupSearch.items.map(groupOption);
  const selectedGroups = wave.protectionGroupIds.map((id) => {
    const group = groups.get(id);
    return group ? groupOption(group) : { value: id, label: id };
  });
  const serverOptions = serverSearch.items.map((s) => serverOption(s.id, s));
  const selectedServers = wave.sourceServerIds.map((id) => serverOption(id, servers.get(id)));
  const ordered = serversInOrder(wave, props.membersOf).map((id) => ({ id, hostname: servers.get(id)?.hostname ?? '', ready: servers.get(id)?.readyForRecovery }));
  // A step before the wave runs on servers the waves it depends on recovered.
  const upstream = dependenciesOf(waves, wave.key);
  const upstreamServers = [...new Set(waves.filter((w) => upstream.has(w.key)).flatMap((w) => serversInOrder(w, props.membersOf)))].map((id) => ({ id, hostname: servers.get(id)?.hostname ?? '' }));
  const sequential = wave.launchOrder === 'SEQUENTIAL';

  return (
    <div id={`wave-${wave.key}`} data-testid={`wave-${index}`} style={props.highlighted ? { outline: '2px solid #0972d3', borderRadius: 16 } : undefined}>
      <Container
        header={
          <Header
            variant="h3"
            description={`${ordered.length} server${ordered.length === 1 ? '' : 's'}`}
            actions={
              <Button onClick={props.onRemove} disabled={waves.length === 1} ariaLabel={`Remove wave ${label}`}>
                Remove wave
              </Button>
            }
          >
            {`${index + 1}. ${label}`}
          </Header>
        }
      >
        <SpaceBetween size="l">
          <ColumnLayout columns={2}>
            <FormField label="Wave name" controlId={`wave-${wave.key}-name`} errorText={errorAt(`${at}.name`)}>
              <Input value={wave.name} ariaLabel={`Wave ${index + 1} name`} onChange={({ detail }) => set({ name: detail.value })} />
            </FormField>
            <FormField label="Depends on" description="Starts when these waves have completed." errorText={errorAt(`${at}.dependsOn`)}>
              <Multiselect
                selectedOptions={dependencyOptions.filter((o) => wave.dependsOn.includes(o.value ?? ''))}
                options={dependencyOptions}
                placeholder="Starts first"
                ariaLabel={`${label} depends on`}
                empty="No other waves"
                onChange={({ detail }) => set({ dependsOn: values(detail.selectedOptions) })}
              />
            </FormField>
            <FormField label="Protection groups" errorText={errorAt(`${at}.protectionGroupIds`)}>
              <SearchMultiselect
                search={groupSearch}
                selectedOptions={selectedGroups}
                options={groupOptions}
                searching="protection groups"
                placeholder="Choose protection groups"
                filteringPlaceholder="Find protection groups by name"
                ariaLabel={`${label} protection groups`}
                empty="No protection groups: create one first."
                onChange={(ids) => set({ protectionGroupIds: ids })}
              />
            </FormField>
            <FormField label="Single servers" description="Servers recovered beside the groups (optional)." errorText={errorAt(`${at}.sourceServerIds`)}>
              <SearchMultiselect
                search={serverSearch}
                selectedOptions={selectedServers}
                options={serverOptions}
                searching="source servers"
                placeholder="None"
                filteringPlaceholder="Find servers by hostname"
                ariaLabel={`${label} single servers`}
                empty="No source servers."
                onChange={(ids) => set({ sourceServerIds: ids })}
              />
            </FormField>
            <FormField label="Launch order" errorText={errorAt(`${at}.launchOrder`)} description={sequential ? 'One at a time, in boot order, each after the previous one is verified.' : 'All at once, split into DRS jobs within quotas.'}>
              <SegmentedControl
                label={`${label} launch order`}
                selectedId={wave.launchOrder}
                onChange={({ detail }) => set({ launchOrder: detail.selectedId === 'SEQUENTIAL' ? 'SEQUENTIAL' : 'PARALLEL' })}
                options={[
                  { id: 'PARALLEL', text: 'Parallel' },
                  { id: 'SEQUENTIAL', text: 'Sequential' },
                ]}
              />
            </FormField>
            <FormField label="If the wave fails" errorText={errorAt(`${at}.errorPolicy`)}>
              <Select
                selectedOption={ERROR_POLICIES.find((p) => p.value === wave.errorPolicy) ?? null}
                options={ERROR_POLICIES}
                ariaLabel={`${label} error policy`}
                onChange={({ detail }) => set({ errorPolicy: detail.selectedOption.value === 'CONTINUE' ? 'CONTINUE' : 'STOP' })}
              />
            </FormField>
          </ColumnLayout>
          <FormField
            label={sequential ? 'Boot order' : 'Servers'}
            description={sequential ? 'Drag a server, or use its arrows, to change when it boots; a delay waits after the previous server.' : 'Launched together. Switch to Sequential to set a boot order.'}
            errorText={errorAt(`${at}.servers`)}
            stretch
          >
            <BootOrderList
              waveName={label}
              servers={ordered}
              sequential={sequential}
              optional={wave.optionalServers}
              delays={wave.delays}
              delayError={(position) => errorAt(`${at}.servers[${position}]`)}
              onReorder={(ids) => set({ bootOrder: ids })}
              onOptionalChange={(id, optional) => set({ optionalServers: optional ? [...wave.optionalServers.filter((s) => s !== id), id] : wave.optionalServers.filter((s) => s !== id) })}
              onDelayChange={(id, delay) => set({ delays: { ...wave.delays, [id]: delay } })}
            />
          </FormField>
          <ColumnLayout columns={2}>
            <SpaceBetween size="xs">
              <Box variant="h4">Before the wave</Box>
              <StepsEditor
                label={`${label} pre-step`}
                path={`${at}.preSteps`}
                steps={wave.preSteps}
                onChange={(preSteps) => set({ preSteps })}
                servers={upstreamServers}
                errorAt={errorAt}
              />
            </SpaceBetween>
            <SpaceBetween size="xs">
              <Box variant="h4">After the wave</Box>
              <StepsEditor
                label={`${label} post-step`}
                path={`${at}.postSteps`}
                steps={wave.postSteps}
                onChange={(postSteps) => set({ postSteps })}
                servers={ordered.map((s) => ({ id: s.id, hostname: s.hostname }))}
                errorAt={errorAt}
              />
            </SpaceBetween>
          </ColumnLayout>
        </SpaceBetween>
      </Container>
    </div>
  );
}
