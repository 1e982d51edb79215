import type { Actor } from '@lifeboat/events';
import { newEventId } from '@lifeboat/events';
import type { CommandMetadata } from '../domain/commands.js';

/** Who acts when the service itself issues a command. */
export const PROCESS_MANAGER: Actor = { type: 'service', id: 'lifeboat-execution', name: 'execution process manager' };

/** Metadata of a command issued now, caused by `causationId`. */
export function commandMetadata(now: Date, actor: Actor, causationId: string | null): CommandMetadata {
  return { commandId: newEventId(now), now: now.toISOString(), actor, causationId };
}
