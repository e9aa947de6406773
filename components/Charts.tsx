/**
 * Small SVG charts drawn on the server (no JavaScript): grouped bars over categories and lines
 * over days. Hand-written rather than a library: two chart kinds whose only math is a linear scale,
 * where a library (ECharts' SSR, d3) would add a large dependency for a few dozen lines and make
 * the accessible parts (title, description, a <title> on every mark) harder to control. Each chart
 * is `role="img"` with its title and a text description; the numbers are also in a table beside it.
 */
import type { ComponentChildren } from "preact";

export interface Series {
  name: string;
  /** null: no value that day (drawn as a gap). */
  values: (number | null)[];
  /** CSS class giving the colour (static/app.css `.series-N`). */
  className: string;
}

export interface ChartProps {
  id: string;
  title: string;
  description: string;
  labels: string[];
  series: Series[];
  /** How a value is written in titles and on the axis. */
  format?: (v: number) => string;
  /** Fixed top of the scale (e.g. 100 for percentages). */
  max?: number;
}

const W = 720, H = 220, LEFT = 48, RIGHT = 8, TOP = 12, BOTTOM = 28;

/** A round top for the axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function Frame(
  props: ChartProps & { top: number; children: ComponentChildren },
) {
  const { id, title, description, labels, top } = props;
  const format = props.format ?? String;
  const plotH = H - TOP - BOTTOM, plotW = W - LEFT - RIGHT;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
  const every = Math.max(1, Math.ceil(labels.length / 8));
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      data-chart={id}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {ticks.map((t) => {
        const y = TOP + plotH - (t / top) * plotH;
        return (
          <g class="tick" key={t}>
            <line x1={LEFT} x2={W - RIGHT} y1={y} y2={y} />
            <text x={LEFT - 6} y={y + 4} text-anchor="end">{format(t)}</text>
          </g>
        );
      })}
      {labels.map((label, i) =>
        i % every === 0 && (
          <text
            key={label}
            class="axis-label"
            x={LEFT + (i + 0.5) * (plotW / labels.length)}
            y={H - 8}
            text-anchor="middle"
          >
            {label}
          </text>
        )
      )}
      {props.children}
    </svg>
  );
}

const topOf = (props: ChartProps) =>
  props.max ??
    niceMax(Math.max(0, ...props.series.flatMap((s) => s.values.filter((v) => v !== null))));

/** Grouped bars: one group per label, one bar per series. */
export function BarChart(props: ChartProps) {
  const top = topOf(props);
  const format = props.format ?? String;
  const plotH = H - TOP - BOTTOM, slot = (W - LEFT - RIGHT) / props.labels.length;
  const bar = (slot * 0.8) / props.series.length;
  return (
    <Frame {...props} top={top}>
      {props.labels.map((label, i) =>
        props.series.map((s, j) => {
          const v = s.values[i];
          if (v === null || v === undefined) return null;
          const h = (v / top) * plotH;
          return (
            <rect
              key={`${i}-${j}`}
              class={s.className}
              x={LEFT + i * slot + slot * 0.1 + j * bar}
              y={TOP + plotH - h}
              width={Math.max(1, bar - 1)}
              height={Math.max(0, h)}
            >
              <title>{`${label}: ${format(v)} ${s.name}`}</title>
            </rect>
          );
        })
      )}
    </Frame>
  );
}

/** Lines over the labels; a null value breaks the line. */
export function LineChart(props: ChartProps) {
  const top = topOf(props);
  const format = props.format ?? String;
  const plotH = H - TOP - BOTTOM, slot = (W - LEFT - RIGHT) / props.labels.length;
  const x = (i: number) => LEFT + (i + 0.5) * slot;
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  return (
    <Frame {...props} top={top}>
      {props.series.map((s) => {
        let d = "", pen = false;
        s.values.forEach((v, i) => {
          if (v === null) return void (pen = false);
          d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
          pen = true;
        });
        return (
          <g class={s.className} key={s.name}>
            <path d={d} fill="none" />
            {s.values.map((v, i) =>
              v === null ? null : (
                <circle key={i} cx={x(i)} cy={y(v)} r={3}>
                  <title>{`${props.labels[i]}: ${format(v)} ${s.name}`}</title>
                </circle>
              )
            )}
          </g>
        );
      })}
    </Frame>
  );
}

/** The legend of a chart's series. */
export function Legend({ series }: { series: Pick<Series, "name" | "className">[] }) {
  return (
    <ul class="legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.name}>
          <span class={`swatch ${s.className}`} />
          {s.name}
        </li>
      ))}
    </ul>
  );
}
