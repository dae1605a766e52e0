import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useT } from '../i18n/i18n.tsx';
import type { ChartOption, ECharts } from './echarts.ts';
import { dashboardWords } from './messages.ts';

/** One row of a chart's data table: its heading cell, then the value cells. */
export interface DataRow {
  readonly key: string;
  readonly head: ReactNode;
  readonly cells: readonly ReactNode[];
}

/**
 * A chart for the wall with the same numbers for everyone else: the drawing (a canvas, named by a summary
 * for screen readers) and, under it, the data as a table. ECharts loads on first use; the drawing follows
 * the size of its box.
 */
export function ChartPanel({
  title,
  intro,
  summary,
  option,
  height,
  columns,
  rows,
  className,
}: {
  title: string;
  intro?: ReactNode;
  summary: string;
  option: ChartOption;
  height: number;
  columns: readonly string[];
  rows: readonly DataRow[];
  className?: string;
}) {
  const t = useT(dashboardWords);
  const headingId = useId();
  return (
    <section className={`panel chart-panel ${className ?? ''}`} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {intro && <p className="muted chart-intro">{intro}</p>}
      <Chart summary={summary} option={option} height={height} />
      <details className="chart-data">
        <summary>
          {t('showTable')}
          <span className="sr-only">: {title}</span>
        </summary>
        <div className="chart-table">
          <table>
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col" className={i > 0 ? 'num' : undefined}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.head}</th>
                  {r.cells.map((c, i) => (
                    <td key={i} className="num">
                      {c}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

const reducedMotion = () =>
  typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

/** The drawing alone: role="img" with the summary as its name; resized with its box. */
export function Chart({ summary, option, height }: { summary: string; option: ChartOption; height: number }) {
  const t = useT(dashboardWords);
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const latest = useRef(option);
  latest.current = option;
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    import('./echarts.ts').then(
      ({ init }) => {
        const el = box.current;
        if (cancelled || !el) return;
        const c = init(el, undefined, { renderer: 'canvas' });
        c.setOption({ ...latest.current, animation: !reducedMotion() });
        chart.current = c;
        observer = new ResizeObserver(() => c.resize());
        observer.observe(el);
      },
      () => {
        if (!cancelled) setFailed(true);
      },
    );
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ ...option, animation: !reducedMotion() }, { notMerge: true });
  }, [option]);

  if (failed) return <p className="notice">{t('chartFailed')}</p>;
  return <div ref={box} className="chart" role="img" aria-label={summary} style={{ height }} />;
}
