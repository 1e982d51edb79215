/** Cloudscape links carry a real `href` (open in a new tab works); a plain click navigates inside the app. */
import { useCallback } from 'react';
import { useNavigate } from 'react-router';

export function useFollow(): (event: CustomEvent<{ href?: string; external?: boolean }>) => void {
  const navigate = useNavigate();
  return useCallback(
    (event: CustomEvent<{ href?: string; external?: boolean }>) => {
      const href = event.detail.href;
      if (!href || event.detail.external) return;
      event.preventDefault();
      void navigate(href);
    },
    [navigate],
  );
}
