/** The charts' ECharts options: plain data in, options out (types only from ECharts, nothing loaded). */
import type { ChartOption } from './echarts.ts';

const INK = '#1b1f24';
const MUTED = '#4a5360';
const RULE = '#dde2e8';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

/** Text for the tooltip's HTML: names come from configuration (list names), never trusted as markup. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export interface Bar {
  /** The category's name on the axis. */
  readonly label: string;
  readonly value: number;
  readonly colour: string;
  /** The number written at the end of the bar and in the tooltip. */
  readonly text: string;
  /** The tooltip's line; the label and text when absent. */
  readonly tip?: string;
}

interface BarChartSpec {
  readonly bars: readonly Bar[];
  /** Categories down the side, first at the top (rankings), instead of along the bottom. */
  readonly horizontal?: boolean;
  /** Write each bar's number on it (wide bars only). */
  readonly labels?: boolean;
  /** The value axis's tick labels. */
  readonly axisText: (value: number) => string;
  /** A fixed top of the value axis (100% for rates). */
  readonly max?: number;
}

/** One bar series, one colour per bar, sized for a wall: large type, few rules, numbers at the bar ends. */
export function barOption(spec: BarChartSpec): ChartOption {
  const { bars, horizontal = false, labels = true, axisText, max } = spec;
  const categoryAxis = {
    type: 'category' as const,
    data: bars.map((b) => b.label),
    inverse: horizontal,
    axisTick: { show: false },
    axisLine: { lineStyle: { color: MUTED } },
    axisLabel: { color: INK, fontSize: 13, fontFamily: FONT, hideOverlap: true },
  };
  const valueAxis = {
    type: 'value' as const,
    minInterval: 1,
    ...(max !== undefined && { max }),
    splitLine: { lineStyle: { color: RULE } },
    axisLabel: { color: MUTED, fontSize: 12, fontFamily: FONT, formatter: (v: number) => axisText(v) },
  };
  return {
    textStyle: { fontFamily: FONT, color: INK },
    grid: {
      left: 8,
      right: horizontal ? 56 : 16,
      top: labels && !horizontal ? 28 : 12,
      bottom: 8,
      containLabel: true,
    },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const bar = bars[(p as { dataIndex: number }).dataIndex];
        return bar ? escapeHtml(bar.tip ?? `${bar.label}: ${bar.text}`) : '';
      },
    },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: [
      {
        type: 'bar',
        barMaxWidth: horizontal ? 26 : 64,
        data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.colour, borderRadius: 2 } })),
        label: {
          show: labels,
          position: horizontal ? 'right' : 'top',
          color: INK,
          fontSize: 13,
          fontWeight: 'bold',
          fontFamily: FONT,
          formatter: (p: unknown) => bars[(p as { dataIndex: number }).dataIndex]?.text ?? '',
        },
      },
    ],
  };
}
