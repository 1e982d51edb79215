/**
 * Tag selectors: a server of the group's account and region carrying every tag of any one selector
 * is a member. Keys and values are suggested from the servers of that account and region.
 */
import type { JSX } from 'react';
import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import Autosuggest from '@cloudscape-design/components/autosuggest';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { Tag } from './api.js';
import { errorTextAt } from './form-support.js';
import type { FieldProblem } from './form-support.js';

export function TagSelectorsEditor(props: {
  selectors: readonly { tags: Tag[] }[];
  onChange: (selectors: { tags: Tag[] }[]) => void;
  knownTags: readonly Tag[];
  problems: readonly FieldProblem[];
  disabled?: boolean;
}): JSX.Element {
  const { selectors, knownTags, problems } = props;
  const keys = [...new Set(knownTags.map((t) => t.key))].sort();
  const valuesOf = (key: string): string[] => [...new Set(knownTags.filter((t) => t.key === key).map((t) => t.value))].sort();
  const setSelector = (index: number, tags: Tag[]): void => props.onChange(selectors.map((s, i) => (i === index ? { tags } : s)));

  return (
    <SpaceBetween size="m">
      {selectors.length === 0 && <Box color="text-status-inactive">No tag selectors: the group holds only the servers selected above.</Box>}
      {selectors.map((selector, index) => (
        <Container
          key={index}
          data-testid={`tag-selector-${index}`}
          header={
            <Header
              variant="h3"
              description="Servers carrying every one of these tags."
              actions={
                <Button disabled={props.disabled} onClick={() => props.onChange(selectors.filter((_, i) => i !== index))} ariaLabel={`Remove selector ${index + 1}`}>
                  Remove selector
                </Button>
              }
            >
              {`Selector ${index + 1}`}
            </Header>
          }
        >
          <AttributeEditor<Tag>
            items={selector.tags}
            addButtonText="Add tag"
            disableAddButton={props.disabled}
            removeButtonText="Remove"
            removeButtonAriaLabel={(tag) => `Remove tag ${tag.key || 'without key'}`}
            empty="No tags: add at least one."
            onAddButtonClick={() => setSelector(index, [...selector.tags, { key: '', value: '' }])}
            onRemoveButtonClick={({ detail }) => setSelector(index, selector.tags.filter((_, i) => i !== detail.itemIndex))}
            definition={[
              {
                label: 'Key',
                control: (tag, row) => (
                  <Autosuggest
                    value={tag.key}
                    disabled={props.disabled}
                    ariaLabel={`Selector ${index + 1} tag ${row + 1} key`}
                    placeholder="App"
                    options={keys.map((k) => ({ value: k }))}
                    enteredTextLabel={(text) => `Use "${text}"`}
                    empty="No known keys"
                    onChange={({ detail }) => setSelector(index, selector.tags.map((t, i) => (i === row ? { ...t, key: detail.value } : t)))}
                  />
                ),
                errorText: (_tag, row) => errorTextAt(problems, `tagSelectors[${index}].tags[${row}]`),
              },
              {
                label: 'Value',
                control: (tag, row) => (
                  <Autosuggest
                    value={tag.value}
                    disabled={props.disabled}
                    ariaLabel={`Selector ${index + 1} tag ${row + 1} value`}
                    placeholder="Orders"
                    options={valuesOf(tag.key.trim()).map((v) => ({ value: v }))}
                    enteredTextLabel={(text) => `Use "${text}"`}
                    empty="No known values"
                    onChange={({ detail }) => setSelector(index, selector.tags.map((t, i) => (i === row ? { ...t, value: detail.value } : t)))}
                  />
                ),
              },
            ]}
          />
          {errorTextAt(problems.filter((p) => !/^tagSelectors\[\d+\]\.tags\[/.test(p.field)), `tagSelectors[${index}]`) && (
            <Box color="text-status-error">{errorTextAt(problems.filter((p) => !/^tagSelectors\[\d+\]\.tags\[/.test(p.field)), `tagSelectors[${index}]`)}</Box>
          )}
        </Container>
      ))}
      <Button disabled={props.disabled} iconName="add-plus" onClick={() => props.onChange([...selectors, { tags: [{ key: '', value: '' }] }])}>
        Add tag selector
      </Button>
    </SpaceBetween>
  );
}
