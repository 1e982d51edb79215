/** Flash messages at the top of every page (Cloudscape Flashbar), pushed from anywhere with useNotify. */
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import Flashbar from '@cloudscape-design/components/flashbar';
import type { FlashbarProps } from '@cloudscape-design/components/flashbar';

export interface Flash {
  type: 'success' | 'error' | 'info' | 'warning';
  header?: string;
  content: string;
}

type Notify = (flash: Flash) => void;

interface NotificationsContextValue {
  notify: Notify;
  items: FlashbarProps.MessageDefinition[];
}

const NotificationsContext = createContext<NotificationsContextValue | undefined>(undefined);

/** Successes and infos go away by themselves; errors and warnings stay until dismissed. */
const AUTO_DISMISS_MS = 8000;
/** Older messages are dropped beyond this many. */
const MAX_FLASHES = 5;

export function NotificationsProvider(props: { children: ReactNode }): ReactNode {
  const [flashes, setFlashes] = useState<(Flash & { id: string })[]>([]);
  const nextId = useRef(0);
  const dismiss = useCallback((id: string) => setFlashes((current) => current.filter((f) => f.id !== id)), []);
  const notify = useCallback<Notify>(
    (flash) => {
      nextId.current += 1;
      const id = `flash-${nextId.current}`;
      setFlashes((current) => [{ ...flash, id }, ...current].slice(0, MAX_FLASHES));
      if (flash.type === 'success' || flash.type === 'info') setTimeout(() => dismiss(id), AUTO_DISMISS_MS);
    },
    [dismiss],
  );
  const items = useMemo<FlashbarProps.MessageDefinition[]>(
    () =>
      flashes.map((f) => ({
        id: f.id,
        type: f.type,
        header: f.header,
        content: f.content,
        dismissible: true,
        dismissLabel: 'Dismiss message',
        onDismiss: () => dismiss(f.id),
      })),
    [flashes, dismiss],
  );
  const value = useMemo(() => ({ notify, items }), [notify, items]);
  return <NotificationsContext.Provider value={value}>{props.children}</NotificationsContext.Provider>;
}

export function useNotify(): Notify {
  const context = useContext(NotificationsContext);
  if (!context) throw new Error('useNotify is used outside NotificationsProvider');
  return context.notify;
}

/** The Flashbar the shell puts in AppLayout's notifications slot. */
export function Notifications(): ReactNode {
  const context = useContext(NotificationsContext);
  if (!context || context.items.length === 0) return null;
  return <Flashbar items={context.items} stackItems={context.items.length > 2} i18nStrings={{ ariaLabel: 'Notifications', notificationBarText: 'Notifications', notificationBarAriaLabel: 'View all notifications', errorIconAriaLabel: 'Error', successIconAriaLabel: 'Success', warningIconAriaLabel: 'Warning', infoIconAriaLabel: 'Information', inProgressIconAriaLabel: 'In progress' }} />;
}
