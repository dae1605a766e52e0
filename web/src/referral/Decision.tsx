import type { Decision, HashMatch, MediaFile, Overrides } from '../api/views.ts';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { holdReasonKey, LevelBadge, triageWords } from '../queue/shared.tsx';
import { Facts, lines } from './Facts.tsx';
import { referralWords } from './messages.ts';

/** Why the referral went where it went and ranks where it ranks: each signal, factor and match, with weights. */
export function DecisionPanel({
  decision,
  overrides,
  level,
  recipient,
  files,
  orgName,
}: {
  decision: Decision | null;
  overrides: Overrides;
  /** The level in force (an analyst's override, else the computed one). */
  level: string | null;
  recipient: string | null;
  files: readonly MediaFile[];
  orgName: (id: string | null) => string;
}) {
  const t = useT(referralWords);
  if (!decision)
    return (
      <section className="panel">
        <p className="empty">{t('noDecision')}</p>
      </section>
    );
  return (
    <>
      <Jurisdiction decision={decision} recipient={recipient} />
      <PriorityPanel decision={decision} overrides={overrides} level={level} orgName={orgName} />
      <Classification decision={decision} />
      <Matches decision={decision} files={files} />
      <Prior decision={decision} />
      <Trace decision={decision} />
    </>
  );
}

function Jurisdiction({ decision, recipient }: { decision: Decision; recipient: string | null }) {
  const t = useT(referralWords);
  const tw = useT(triageWords);
  const n = useNumber();
  const j = decision.jurisdiction;
  return (
    <section className="panel" aria-labelledby="jurisdiction-title">
      <h3 id="jurisdiction-title">{t('jurisdictionTitle')}</h3>
      <Facts
        rows={[
          [t('countryRegion'), [j.country ?? t('unknownCountry'), j.region].filter(Boolean).join(' · ')],
          [t('confidence'), tw('percent', { n: n(Math.round(j.confidence * 100)) })],
          [t('factRecipient'), recipient ?? t('unassigned')],
          [
            t('heldBecause'),
            decision.outcome === 'held' && decision.hold && (
              <span className="held-flag">
                {tw(holdReasonKey(decision.hold.reason))}
                {decision.hold.detail && <span className="muted"> — {decision.hold.detail}</span>}
              </span>
            ),
          ],
          [t('rulesVersion'), j.rulesVersion],
        ]}
      />
      {j.reasons.length > 0 && (
        <>
          <h4>{t('inWords')}</h4>
          {lines(j.reasons)}
        </>
      )}
      {j.signals.length === 0 ? (
        <p className="empty">{t('noSignals')}</p>
      ) : (
        <table className="compact signals">
          <caption>{t('signalsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('colSignal')}</th>
              <th scope="col">{t('colCountry')}</th>
              <th scope="col" className="num">
                {t('colWeight')}
              </th>
              <th scope="col">{t('colEvidence')}</th>
              <th scope="col">{t('colDiscounts')}</th>
            </tr>
          </thead>
          <tbody>
            {[...j.signals]
              .sort((a, b) => b.weight - a.weight)
              .map((s, i) => (
                <tr key={i}>
                  <td>{s.kind}</td>
                  <td>{[s.country, s.region, s.city].filter(Boolean).join(' · ')}</td>
                  <td className="num">{n(s.weight, 3)}</td>
                  <td>
                    <span className="mono">{s.evidence}</span>
                    {s.at && (
                      <span className="sub">
                        <Time value={s.at} />
                      </span>
                    )}
                  </td>
                  <td>{(s.discounts ?? []).join('; ')}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      {j.candidates.length > 1 && (
        <>
          <h4>{t('candidates')}</h4>
          {lines(j.candidates.map((c) => `${c.country}: ${n(c.weight, 3)}`))}
        </>
      )}
    </section>
  );
}

function PriorityPanel({
  decision,
  overrides,
  level,
  orgName,
}: {
  decision: Decision;
  overrides: Overrides;
  level: string | null;
  orgName: (id: string | null) => string;
}) {
  const t = useT(referralWords);
  const n = useNumber();
  const p = decision.priority;
  const po = overrides.priority;
  const ro = overrides.recipient;
  return (
    <section className="panel" aria-labelledby="priority-title">
      <h3 id="priority-title">{t('priorityTitle')}</h3>
      <Facts
        rows={[
          [t('finalLevel'), <LevelBadge key="level" level={level} overridden={po !== undefined} />],
          [
            t('computedLevel'),
            p && po !== undefined && p.level !== level && <LevelBadge key="computed" level={p.level} />,
          ],
          [t('score'), p && n(p.score)],
          [t('rulesVersion'), p?.rulesVersion],
        ]}
      />
      {!p && <p className="empty">{t('noPriority')}</p>}
      {p && p.factors.length > 0 && (
        <table className="compact factors">
          <caption>{t('factorsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('colFactor')}</th>
              <th scope="col" className="num">
                {t('colPoints')}
              </th>
              <th scope="col">{t('colFloor')}</th>
              <th scope="col">{t('colReason')}</th>
            </tr>
          </thead>
          <tbody>
            {p.factors.map((f, i) => (
              <tr key={i}>
                <td className="factor">{f.factor}</td>
                <td className="num">{n(f.points)}</td>
                <td>{f.floor && <LevelBadge level={f.floor} />}</td>
                <td>{f.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p && p.indicators.length > 0 && (
        <table className="compact indicators">
          <caption>{t('indicatorsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('colList')}</th>
              <th scope="col">{t('colTerm')}</th>
              <th scope="col" className="num">
                {t('colWeight')}
              </th>
              <th scope="col">{t('colField')}</th>
            </tr>
          </thead>
          <tbody>
            {p.indicators.map((x, i) => (
              <tr key={i}>
                <td>{x.list}</td>
                <td className="mono">{x.term}</td>
                <td className="num">{n(x.weight)}</td>
                <td>{x.field}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(po || ro) && (
        <div className="overrides">
          <h4>{t('overridesTitle')}</h4>
          {po && (
            <div className="override" data-testid="priority-override">
              <p className="override-what">
                {t('priorityOverride', { from: po.previous ?? '—', to: po.level })}
              </p>
              <Facts
                rows={[
                  [t('overrideBy'), po.by],
                  [t('overrideAt'), <Time key="at" value={po.at} />],
                  [t('overrideReason'), po.reason],
                ]}
              />
            </div>
          )}
          {ro && (
            <div className="override">
              <p className="override-what">
                {t('recipientOverride', { from: orgName(ro.previous), to: orgName(ro.orgId) })}
              </p>
              <Facts
                rows={[
                  [t('overrideBy'), ro.by],
                  [t('overrideAt'), <Time key="at" value={ro.at} />],
                  [t('overrideReason'), ro.reason],
                ]}
              />
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function Classification({ decision }: { decision: Decision }) {
  const t = useT(referralWords);
  const tw = useT(triageWords);
  const c = decision.classification;
  return (
    <section className="panel" aria-labelledby="classification-title">
      <h3 id="classification-title">{t('classificationTitle')}</h3>
      <p>{tw(c.kind === 'actionable' ? 'actionable' : 'informational')}</p>
      {lines(c.reasons)}
    </section>
  );
}

function Matches({ decision, files }: { decision: Decision; files: readonly MediaFile[] }) {
  const t = useT(referralWords);
  const n = useNumber();
  return (
    <section className="panel" aria-labelledby="matches-title">
      <h3 id="matches-title">{t('matchesTitle', { count: n(decision.matches.length) })}</h3>
      {decision.matches.length === 0 ? (
        <p className="empty">{t('noMatches')}</p>
      ) : (
        <MatchTable matches={decision.matches} files={files} caption={t('matchesCaption')} showFile />
      )}
    </section>
  );
}

/** Matches of files against hash lists: which list (and version), which entry, category, hash and distance. */
export function MatchTable({
  matches,
  files,
  caption,
  showFile,
}: {
  matches: readonly HashMatch[];
  files: readonly MediaFile[];
  caption: string;
  showFile: boolean;
}) {
  const t = useT(referralWords);
  const n = useNumber();
  return (
    <table className="compact matches">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {showFile && <th scope="col">{t('colFile')}</th>}
          <th scope="col">{t('colList')}</th>
          <th scope="col">{t('colCategory')}</th>
          <th scope="col">{t('colHashKind')}</th>
          <th scope="col" className="num">
            {t('colDistance')}
          </th>
          <th scope="col">{t('colEntry')}</th>
        </tr>
      </thead>
      <tbody>
        {matches.map((m, i) => (
          <tr key={i}>
            {showFile && (
              <td>
                {t('fileN', { n: m.file + 1 })}
                {files[m.file]?.fileName && <span className="sub mono">{files[m.file]?.fileName}</span>}
              </td>
            )}
            <td>
              {m.list.name} <span className="muted">v{m.list.version}</span>
              {m.list.negative && <span className="sub">{t('benignList')}</span>}
            </td>
            <td>
              <strong>{m.category}</strong>
              <span className="sub">
                {m.sourceScheme}
                {m.sourceCode !== null && ` ${m.sourceCode}`}
              </span>
              {m.series && <span className="sub">{t('series', { s: m.series })}</span>}
              {m.victimIdentified && <span className="sub">{t('victimIdentified')}</span>}
            </td>
            <td>{m.kind.toUpperCase()}</td>
            <td className="num">{n(m.distance)}</td>
            <td className="mono">{m.entry}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Prior({ decision }: { decision: Decision }) {
  const t = useT(referralWords);
  const hits = decision.prior ?? [];
  if (hits.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="prior-title">
      <h3 id="prior-title">{t('priorTitle')}</h3>
      <Table className="compact" head={[t('colRegister'), t('colReference'), t('colValue'), t('colReason')]}>
        {hits.map((h, i) => (
          <tr key={i}>
            <td>{h.register}</td>
            <td>
              <span className="mono">{h.reference}</span>
              {h.label && <span className="sub">{h.label}</span>}
            </td>
            <td>
              {h.kind} <span className="mono">{h.value}</span>
            </td>
            <td>{h.reason}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

function Trace({ decision }: { decision: Decision }) {
  const t = useT(referralWords);
  return (
    <details className="panel trace">
      <summary>{t('traceTitle')}</summary>
      <ol>
        {decision.trace.map((s, i) => (
          <li key={i}>
            <span className="mono">{s.stage}</span>: {s.result}
            {s.note && <span className="muted"> — {s.note}</span>}
          </li>
        ))}
      </ol>
    </details>
  );
}
