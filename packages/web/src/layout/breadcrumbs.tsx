/** The page tells the shell its breadcrumbs; the shell renders them in AppLayout's breadcrumbs slot. */
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';

export interface Crumb {
  text: string;
  href: string;
}

interface BreadcrumbsContextValue {
  crumbs: Crumb[];
  setCrumbs: (crumbs: Crumb[]) => void;
}

const BreadcrumbsContext = createContext<BreadcrumbsContextValue | undefined>(undefined);

export function BreadcrumbsProvider(props: { children: ReactNode }): ReactNode {
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const value = useMemo(() => ({ crumbs, setCrumbs }), [crumbs]);
  return <BreadcrumbsContext.Provider value={value}>{props.children}</BreadcrumbsContext.Provider>;
}

export function useCrumbs(): Crumb[] {
  return useContext(BreadcrumbsContext)?.crumbs ?? [];
}

/** Publishes a page's breadcrumbs while it is shown (compared by content, so a new array each render is fine). */
export function usePublishCrumbs(crumbs: Crumb[]): void {
  const setCrumbs = useContext(BreadcrumbsContext)?.setCrumbs;
  const key = JSON.stringify(crumbs);
  useEffect(() => {
    setCrumbs?.(JSON.parse(key) as Crumb[]);
  }, [key, setCrumbs]);
}
