import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import type { DashboardView } from '../api/views.ts';
import { Empty, ErrorMessage, Loading } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { dashboard, daysOf, WINDOWS } from '../dashboard/api.ts';
import { ChartPanel } from '../dashboard/Chart.tsx';
import {
  ACCENT,
  countryRows,
  GREY,
  levelRows,
  middayOf,
  TOP_COUNTRIES,
  useCountryLabel,
  useDayLabel,
  useDuration,
  useLevelLabel,
  usePercent,
} from '../dashboard/format.ts';
import { dashboardWords } from '../dashboard/messages.ts';
import { barOption } from '../dashboard/options.ts';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import '../dashboard/dashboard.css';

const DAY = 86_400_000;
/** A wall screen keeps itself current; each read is audited, so not more often than this. */
const REFRESH_EVERY = 5 * 60_000;

/** The supervisor's wall: the flow of referrals in reach over the last 7, 30 or 90 days. */
export default function Dashboard() {
  const t = useT(dashboardWords);
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const days = daysOf(params);
  const query = useQuery({
    queryKey: ['dashboard', days],
    queryFn: () => dashboard(days),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_EVERY,
  });
  const forbidden = query.error instanceof ApiError && query.error.status === 403;
  const choose = (d: number) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.set('days', String(d));
      return next;
    });
  const updating = query.isFetching && !query.isPending;
  const org = session.user.organisation;

  return (
    <main id="main" className="dashboard">
      <h1>{t('title')}</h1>
      {!forbidden && (
        <>
          <p className="muted">{t('intro', { org })}</p>
          <div className="dash-bar">
            <WindowPicker days={days} onChange={choose} />
            <div className="dash-updated">
              <span role="status" aria-live="polite" className="muted">
                {updating ? t('updating') : ''}
              </span>
              {query.dataUpdatedAt > 0 && (
                <span className="muted">
                  {t('updated')} <Time value={new Date(query.dataUpdatedAt).toISOString()} />
                </span>
              )}
              <button type="button" onClick={() => void query.refetch()} disabled={query.isFetching}>
                {t('refresh')}
              </button>
            </div>
          </div>
        </>
      )}
      {query.isPending ? (
        <Loading />
      ) : query.data === undefined ? (
        <ErrorMessage error={query.error} onRetry={forbidden ? undefined : () => void query.refetch()} />
      ) : (
        <>
          {query.error !== null && <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />}
          <div aria-busy={updating} className={query.isPlaceholderData ? 'dash-stale' : undefined}>
            <Board view={query.data} org={org} onWiden={() => choose(90)} />
          </div>
        </>
      )}
    </main>
  );
}

function WindowPicker({ days, onChange }: { days: number; onChange: (d: number) => void }) {
  const t = useT(dashboardWords);
  const n = useNumber();
  const choices = (WINDOWS as readonly number[]).includes(days)
    ? [...WINDOWS]
    : [...WINDOWS, days].sort((a, b) => a - b);
  return (
    <fieldset className="window-picker">
      <legend>{t('window')}</legend>
      <div className="window-choices">
        {choices.map((d) => (
          <label key={d}>
            <input
              type="radio"
              name="dashboard-window"
              value={d}
              checked={d === days}
              onChange={() => onChange(d)}
            />
            <span>{t('lastDays', { n: n(d) })}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function Board({ view, org, onWiden }: { view: DashboardView; org: string; onWiden: () => void }) {
  const t = useT(dashboardWords);
  const n = useNumber();
  const days = Math.round((Date.parse(view.to) - Date.parse(view.from)) / DAY);
  return (
    <>
      <Headlines view={view} days={days} />
      {view.total === 0 ? (
        <section className="panel dash-empty" aria-labelledby="dash-empty-title">
          <h2 id="dash-empty-title">{t('emptyTitle')}</h2>
          <Empty>{t('emptyText', { org, n: n(days) })}</Empty>
          {days < 90 && (
            <button type="button" className="primary" onClick={onWiden}>
              {t('widen')}
            </button>
          )}
        </section>
      ) : (
        <>
          <PerDay view={view} />
          <div className="dash-grid">
            <ByLevel view={view} />
            <MatchRates view={view} />
          </div>
          <ByCountry view={view} />
        </>
      )}
    </>
  );
}

function Headlines({ view, days }: { view: DashboardView; days: number }) {
  const t = useT(dashboardWords);
  const n = useNumber();
  const duration = useDuration();
  const percent = usePercent();
  const last = view.receivedPerDay[view.receivedPerDay.length - 1]?.day ?? view.to;
  const oldestAge = view.held.oldest ? (Date.now() - Date.parse(view.held.oldest)) / 1000 : null;
  return (
    <section aria-labelledby="dash-headlines">
      <h2 id="dash-headlines" className="sr-only">
        {t('headlines')}
      </h2>
      <dl className="stats">
        <div className="stat">
          <dt>{t('received')}</dt>
          <dd className="stat-value" data-stat="received">
            {n(view.total)}
          </dd>
          <dd className="stat-sub">
            {t('receivedSub', { n: n(days) })} <Time value={middayOf(view.from)} dateOnly /> {t('to')}{' '}
            <Time value={middayOf(last)} dateOnly />
          </dd>
        </div>
        <div className="stat">
          <dt>{t('backlog')}</dt>
          <dd className="stat-value" data-stat="backlog">
            {n(view.held.backlog)}
          </dd>
          <dd className="stat-sub">
            {t('backlogSub')}
            {'; '}
            {view.held.oldest && oldestAge !== null ? (
              <>
                {t('oldest')} <Time value={view.held.oldest} /> ({t('age', { age: duration(oldestAge) })})
              </>
            ) : (
              t('noneHeld')
            )}
          </dd>
          {view.held.backlog > 0 && (
            <dd className="stat-sub">
              <Link to="/queue?held=true&classification=all">{t('openHeld')}</Link>
            </dd>
          )}
        </div>
        <div className="stat">
          <dt>{t('median')}</dt>
          <dd className="stat-value" data-stat="median">
            {view.routing.medianSeconds === null ? t('none') : duration(view.routing.medianSeconds)}
          </dd>
          <dd className="stat-sub">
            {view.routing.medianSeconds === null
              ? t('noneRouted')
              : t('medianSub', { n: n(view.routing.decided) })}
          </dd>
        </div>
        <div className="stat">
          <dt>{t('informational')}</dt>
          <dd className="stat-value" data-stat="informational">
            {view.total === 0 ? t('none') : percent(view.informational / view.total)}
          </dd>
          <dd className="stat-sub">
            {view.total === 0
              ? t('noShare')
              : t('informationalSub', { n: n(view.informational), total: n(view.total) })}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function PerDay({ view }: { view: DashboardView }) {
  const t = useT(dashboardWords);
  const n = useNumber();
  const dayLabel = useDayLabel();
  const days = view.receivedPerDay;
  const option = useMemo(
    () =>
      barOption({
        bars: days.map((d) => ({
          label: dayLabel(d.day, true),
          value: d.count,
          colour: ACCENT,
          text: n(d.count),
          tip: t('part', { name: dayLabel(d.day), value: n(d.count) }),
        })),
        labels: days.length <= 14,
        axisText: (v) => n(v),
      }),
    [days, dayLabel, n, t],
  );
  const peak = days.reduce((a, b) => (b.count > a.count ? b : a), days[0] ?? { day: view.from, count: 0 });
  const summary = t('perDayLabel', {
    from: dayLabel(days[0]?.day ?? view.from),
    to: dayLabel(days[days.length - 1]?.day ?? view.to),
    total: n(view.total),
    peakDay: dayLabel(peak.day),
    peak: n(peak.count),
    avg: n(view.total / Math.max(1, days.length), 1),
  });
  return (
    <ChartPanel
      title={t('perDay')}
      summary={summary}
      option={option}
      height={280}
      columns={[t('day'), t('referrals')]}
      rows={days.map((d) => ({
        key: d.day,
        head: <Time value={middayOf(d.day)} dateOnly />,
        cells: [n(d.count)],
      }))}
    />
  );
}

function ByLevel({ view }: { view: DashboardView }) {
  const t = useT(dashboardWords);
  const n = useNumber();
  const percent = usePercent();
  const levelLabel = useLevelLabel();
  const rows = useMemo(() => levelRows(view), [view]);
  const option = useMemo(
    () =>
      barOption({
        bars: rows.map((r) => ({
          label: levelLabel(r.level, true),
          value: r.count,
          colour: r.colour,
          text: n(r.count),
          tip: t('part', { name: levelLabel(r.level), value: n(r.count) }),
        })),
        axisText: (v) => n(v),
      }),
    [rows, levelLabel, n, t],
  );
  const summary = t('byLevelLabel', {
    parts: rows.map((r) => t('part', { name: levelLabel(r.level), value: n(r.count) })).join('; '),
  });
  return (
    <ChartPanel
      title={t('byLevel')}
      summary={summary}
      option={option}
      height={300}
      columns={[t('level'), t('referrals'), t('share')]}
      rows={rows.map((r) => ({
        key: r.level ?? '(none)',
        head: (
          <>
            <span className={`badge level-${r.level ?? 'none'}`} aria-hidden="true">
              {r.level ?? '–'}
            </span>{' '}
            {levelLabel(r.level)}
          </>
        ),
        cells: [n(r.count), percent(r.count / view.total)],
      }))}
    />
  );
}

function MatchRates({ view }: { view: DashboardView }) {
  const t = useT(dashboardWords);
  const n = useNumber();
  const percent = usePercent();
  const lists = view.matchRates;
  const option = useMemo(
    () =>
      barOption({
        bars: lists.map((l) => ({
          label: l.list,
          value: Math.round(l.rate * 1000) / 10,
          colour: ACCENT,
          text: percent(l.rate),
          tip: t('partRate', { name: l.list, rate: percent(l.rate), n: n(l.referrals) }),
        })),
        horizontal: true,
        axisText: (v) => percent(v / 100),
        max: 100,
      }),
    [lists, percent, n, t],
  );
  if (lists.length === 0)
    return (
      <section className="panel chart-panel" aria-labelledby="dash-no-matches">
        <h2 id="dash-no-matches">{t('matchRates')}</h2>
        <p className="muted chart-intro">{t('matchRatesIntro')}</p>
        <Empty>{t('noMatches')}</Empty>
      </section>
    );
  const summary = t('matchRatesLabel', {
    parts: lists
      .map((l) => t('partRate', { name: l.list, rate: percent(l.rate), n: n(l.referrals) }))
      .join('; '),
  });
  return (
    <ChartPanel
      title={t('matchRates')}
      intro={t('matchRatesIntro')}
      summary={summary}
      option={option}
      height={Math.max(200, lists.length * 40 + 60)}
      columns={[t('list'), t('referrals'), t('rate')]}
      rows={lists.map((l) => ({ key: l.list, head: l.list, cells: [n(l.referrals), percent(l.rate)] }))}
    />
  );
}

function ByCountry({ view }: { view: DashboardView }) {
  const t = useT(dashboardWords);
  const n = useNumber();
  const percent = usePercent();
  const countryLabel = useCountryLabel();
  const rows = useMemo(() => countryRows(view), [view]);
  const option = useMemo(
    () =>
      barOption({
        bars: rows.map((r) => ({
          label: countryLabel(r),
          value: r.count,
          colour: r.kind === 'country' ? ACCENT : GREY,
          text: n(r.count),
          tip: t('part', { name: countryLabel(r), value: n(r.count) }),
        })),
        horizontal: true,
        axisText: (v) => n(v),
      }),
    [rows, countryLabel, n, t],
  );
  const summary = t('byCountryLabel', {
    parts: rows.map((r) => t('part', { name: countryLabel(r), value: n(r.count) })).join('; '),
  });
  const grouped = rows.some((r) => r.kind === 'other');
  return (
    <ChartPanel
      title={t('byCountry')}
      intro={grouped ? t('byCountryIntro', { n: n(TOP_COUNTRIES) }) : t('byCountryAll')}
      summary={summary}
      option={option}
      height={rows.length * 34 + 50}
      columns={[t('country'), t('referrals'), t('share')]}
      rows={rows.map((r) => ({
        key: r.key,
        head: (
          <>
            {countryLabel(r)}
            {r.code && <span className="muted mono"> {r.code}</span>}
          </>
        ),
        cells: [n(r.count), percent(r.count / view.total)],
      }))}
    />
  );
}
