/** A time-series line chart (uPlot), sized to its container. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
}

export function TimeChart(props: {
  readonly times: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  readonly unit?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: props.height ?? 200,
      scales: { x: { time: true } },
      axes: [{}, { label: props.unit ?? '', size: 50 }],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: props.times.length < 60 },
        })),
      ],
    };
    const data = [props.times.slice(), ...props.series.map((s) => s.values.slice())] as uPlot.AlignedData;
    const plot = new uPlot(opts, data, el);
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(300, el.clientWidth), height: props.height ?? 200 }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props.times, props.series, props.height, props.unit]);
  return <div ref={box} />;
}
