/**
 * A wave's servers in launch order. In a SEQUENTIAL wave the order is the boot order: drag a row
 * (HTML5 drag and drop) or use its Move up / Move down buttons (keyboard); each server may wait
 * some seconds after the previous one. In every wave a server can be marked optional (its failure
 * does not fail the wave).
 */
import { useEffect, useRef, useState } from 'react';
import type { DragEvent, JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import Icon from '@cloudscape-design/components/icon';
import Input from '@cloudscape-design/components/input';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { moveItem } from './plan-form.js';

export interface BootOrderServer {
  id: string;
  hostname: string;
  ready: boolean | undefined;
}

const ROW_BORDER = '1px solid rgba(128, 128, 128, 0.35)';

export function BootOrderList(props: {
  waveName: string;
  servers: readonly BootOrderServer[];
  sequential: boolean;
  optional: readonly string[];
  delays: Readonly<Record<string, string>>;
  delayError: (position: number) => string | undefined;
  onReorder: (ids: string[]) => void;
  onOptionalChange: (id: string, optional: boolean) => void;
  onDelayChange: (id: string, delay: string) => void;
}): JSX.Element {
  const { servers, sequential } = props;
  const [dragging, setDragging] = useState<number | undefined>(undefined);
  const [over, setOver] = useState<number | undefined>(undefined);
  const [refocus, setRefocus] = useState<{ id: string; direction: 'up' | 'down' } | undefined>(undefined);
  const listRef = useRef<HTMLOListElement>(null);
  const ids = servers.map((s) => s.id);

  // After a keyboard move, focus stays on the button of the server that moved.
  useEffect(() => {
    if (!refocus) return;
    const button = listRef.current?.querySelector<HTMLButtonElement>(`[data-move="${refocus.direction}-${refocus.id}"]`);
    const fallback = listRef.current?.querySelector<HTMLButtonElement>(`[data-move="${refocus.direction === 'up' ? 'down' : 'up'}-${refocus.id}"]`);
    (button && !button.disabled ? button : fallback)?.focus();
    setRefocus(undefined);
  }, [refocus]);

  if (servers.length === 0) {
    return <Box color="text-status-inactive">No servers yet: add protection groups to this wave.</Box>;
  }

  const move = (from: number, to: number, direction: 'up' | 'down'): void => {
    const id = ids[from];
    props.onReorder(moveItem(ids, from, to));
    if (id) setRefocus({ id, direction });
  };
  const onDrop = (event: DragEvent<HTMLLIElement>, to: number): void => {
    event.preventDefault();
    const from = Number(event.dataTransfer.getData('text/plain'));
    setDragging(undefined);
    setOver(undefined);
    if (Number.isInteger(from)) props.onReorder(moveItem(ids, from, to));
  };

  return (
    <ol ref={listRef} aria-label={`${sequential ? 'Boot order' : 'Servers'} of ${props.waveName}`} style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="boot-order">
      {servers.map((server, index) => (
        <li
          key={server.id}
          draggable={sequential}
          onDragStart={(event) => {
            event.dataTransfer.setData('text/plain', String(index));
            event.dataTransfer.effectAllowed = 'move';
            setDragging(index);
          }}
          onDragOver={(event) => {
            if (dragging === undefined) return;
            event.preventDefault();
            event.dataTransfer.dropEffect = 'move';
            setOver(index);
          }}
          onDragLeave={() => setOver((current) => (current === index ? undefined : current))}
          onDragEnd={() => {
            setDragging(undefined);
            setOver(undefined);
          }}
          onDrop={(event) => onDrop(event, index)}
          data-server={server.hostname}
          style={{
            display: 'flex',
            alignItems: 'center',
            gap: 12,
            flexWrap: 'wrap',
            padding: '6px 8px',
            borderBottom: ROW_BORDER,
            borderTop: over === index && dragging !== undefined && dragging !== index ? '2px solid #0972d3' : index === 0 ? ROW_BORDER : undefined,
            opacity: dragging === index ? 0.5 : 1,
            cursor: sequential ? 'grab' : 'default',
          }}
        >
          {sequential && (
            <span aria-hidden="true">
              <Icon name="drag-indicator" />
            </span>
          )}
          {sequential && <Box variant="strong">{index + 1}.</Box>}
          <span style={{ minWidth: 160, flexGrow: 1 }}>
            <Box variant="span">{server.hostname || server.id}</Box>{' '}
            {server.ready === false && <StatusIndicator type="warning">Not ready</StatusIndicator>}
          </span>
          <Checkbox checked={props.optional.includes(server.id)} onChange={({ detail }) => props.onOptionalChange(server.id, detail.checked)} ariaLabel={`${server.hostname || server.id} is optional`}>
            Optional
          </Checkbox>
          {sequential && (
            <span style={{ width: 150 }}>
              <Input
                value={props.delays[server.id] ?? ''}
                inputMode="numeric"
                placeholder="Delay (s)"
                ariaLabel={`Seconds to wait before ${server.hostname || server.id}`}
                invalid={props.delayError(index) !== undefined}
                onChange={({ detail }) => props.onDelayChange(server.id, detail.value)}
              />
            </span>
          )}
          {sequential && (
            <span style={{ display: 'inline-flex' }}>
              <Button variant="icon" iconName="angle-up" ariaLabel={`Move ${server.hostname || server.id} up`} disabled={index === 0} onClick={() => move(index, index - 1, 'up')} data-move={`up-${server.id}`} />
              <Button
                variant="icon"
                iconName="angle-down"
                ariaLabel={`Move ${server.hostname || server.id} down`}
                disabled={index === servers.length - 1}
                onClick={() => move(index, index + 1, 'down')}
                data-move={`down-${server.id}`}
              />
            </span>
          )}
          {sequential && props.delayError(index) && (
            <Box color="text-status-error" fontSize="body-s">
              {props.delayError(index)}
            </Box>
          )}
        </li>
      ))}
    </ol>
  );
}
