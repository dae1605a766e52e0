import { Component, useEffect, useRef, type ErrorInfo, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { messages, useT } from '../i18n/i18n.tsx';

const m = messages(
  {
    failedTitle: 'This page could not be shown',
    failedTitleShort: 'Something went wrong',
    failed:
      'Conduit may have been updated since this page was opened, or the connection failed while loading it. Reload to get the latest version; if it happens again, tell your administrator.',
    reload: 'Reload',
    suffix: 'Conduit',
  },
  {
    failedTitle: 'Impossibile mostrare questa pagina',
    failedTitleShort: 'Qualcosa è andato storto',
    failed:
      'Conduit potrebbe essere stato aggiornato dopo l’apertura della pagina, oppure la connessione si è interrotta durante il caricamento. Ricarica per avere la versione più recente; se succede di nuovo, avvisa l’amministratore.',
    reload: 'Ricarica',
    suffix: 'Conduit',
  },
);

/** The help shown instead of a screen that threw while rendering or whose code failed to load. */
function ScreenFailed() {
  const t = useT(m);
  return (
    <main id="main">
      <h1>{t('failedTitle')}</h1>
      <div role="alert" className="error">
        <p className="error-title">
          <strong>{t('failedTitleShort')}:</strong> {t('failed')}
        </p>
        <button type="button" className="primary" onClick={() => window.location.reload()}>
          {t('reload')}
        </button>
      </div>
    </main>
  );
}

interface BoundaryState {
  readonly failed: boolean;
}

/**
 * Catches a screen that throws (a rendering bug, a lazy chunk gone after a redeploy) so the page is never
 * left blank. Keyed by the caller on the location, it starts afresh on every navigation.
 */
export class ScreenBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  override state: BoundaryState = { failed: false };

  static getDerivedStateFromError(): BoundaryState {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('screen failed', error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.failed ? <ScreenFailed /> : this.props.children;
  }
}

/**
 * After each route change: the document's title names the screen ("<h1> — Conduit") and the focus moves
 * to the screen's <h1>, so screen-reader and keyboard users start at the new screen's top. The heading may
 * come later (a lazy screen, a loading query), so the page is watched until it does; the title follows the
 * heading's text as it changes.
 */
export function useScreenTitleAndFocus(): void {
  const t = useT(m);
  const suffix = t('suffix');
  const location = useLocation();
  const first = useRef(true);
  useEffect(() => {
    // The first screen of a page load keeps the browser's own focus (an autofocused field, the top).
    let focus = !first.current;
    first.current = false;
    const update = () => {
      const h1 = document.querySelector<HTMLElement>('main#main h1');
      if (!h1) return;
      const text = h1.textContent?.trim() ?? '';
      const title = text && text !== suffix ? `${text} — ${suffix}` : suffix;
      if (document.title !== title) document.title = title;
      if (focus) {
        focus = false;
        if (!h1.hasAttribute('tabindex')) h1.tabIndex = -1;
        const active = document.activeElement;
        // Never take the focus from a field the screen itself focused (a dialog, an autofocused input).
        if (!active || active === document.body || !document.getElementById('main')?.contains(active))
          h1.focus({ preventScroll: true });
      }
    };
    update();
    const observer = new MutationObserver(update);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, [location.pathname, suffix]);
}
