/** Light or dark (Cloudscape's applyMode), remembered in localStorage across visits. */
import { useCallback, useState } from 'react';
import { Mode, applyMode } from '@cloudscape-design/global-styles';

const KEY = 'lifeboat.mode';

function storedMode(): Mode {
  const stored = localStorage.getItem(KEY);
  if (stored === Mode.Dark || stored === Mode.Light) return stored;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? Mode.Dark : Mode.Light;
}

/** Applies the remembered mode before the first paint. */
export function applyStoredMode(): void {
  applyMode(storedMode());
}

export function useColorMode(): { dark: boolean; toggle: () => void } {
  const [mode, setMode] = useState<Mode>(storedMode);
  const toggle = useCallback(() => {
    setMode((current) => {
      const next = current === Mode.Dark ? Mode.Light : Mode.Dark;
      localStorage.setItem(KEY, next);
      applyMode(next);
      return next;
    });
  }, []);
  return { dark: mode === Mode.Dark, toggle };
}
