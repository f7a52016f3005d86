/**
 * The ECharts map of the investment map (issue 13): the district and its towns registered with registerMap (no tiles),
 * parcels as polygons (custom series on the geo), carriers and opportunities as scatter points, the heat per town as a
 * visualMap over the town regions, the five routes as lines. Only the ECharts parts used here are loaded, in this
 * page's chunk.
 */
import { CustomChart, LinesChart, MapChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { MapFeature, PointGeometry, PolygonGeometry, RouteProps } from '../../api/investment';
import type { Ring } from '../../lib/mapRegions';

echarts.use([MapChart, CustomChart, ScatterChart, LinesChart, GeoComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export const SUPPLY_COLOURS: Record<string, string> = { available: '#389e0d', planned: '#d48806', supplied: '#8c8c8c' };
const CARRIER = '#1677ff';
const OPPORTUNITY = '#c41d7f';

export interface MapLayers {
  parcel: boolean;
  carrier: boolean;
  opportunity: boolean;
  heat: boolean;
  route: boolean;
}

export interface InvestmentMapProps {
  mapName: string;
  /** town id → its region (registered once per page) */
  regions: Map<string, Ring>;
  townName: (id: string) => string;
  parcels: MapFeature[];
  points: MapFeature[];
  routes: MapFeature[];
  heat: Map<string, number>;
  heatLabel: string;
  layers: MapLayers;
  selected?: string;
  onSelect: (f: MapFeature) => void;
  ariaLabel: string;
  height: number | string;
  /** centre and zoom on a town or a feature (parcels are small at the scale of the district) */
  focus?: { lon: number; lat: number; zoom: number };
}

/** Register the towns as one map (name = town id) so geo regions, the heat series and the custom series share it. */
export function registerTowns(mapName: string, regions: Map<string, Ring>) {
  echarts.registerMap(mapName, {
    type: 'FeatureCollection',
    features: [...regions].map(([id, ring]) => ({ type: 'Feature', properties: { name: id }, geometry: { type: 'Polygon', coordinates: [ring] } })),
  } as never);
}

export function InvestmentMap(p: InvestmentMapProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const latest = useRef(p);
  latest.current = p;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (e) => {
      const d = e.data as { feature?: MapFeature } | undefined;
      if (d?.feature) latest.current.onSelect(d.feature);
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const { layers, parcels, points, routes, heat, selected, townName } = p;
    const max = Math.max(1, ...heat.values());
    const series: unknown[] = [];
    if (layers.heat) {
      series.push({
        type: 'map',
        geoIndex: 0,
        name: p.heatLabel,
        data: [...p.regions.keys()].map((id) => ({ name: id, value: heat.get(id) ?? 0 })),
      });
    }
    if (layers.parcel) {
      series.push({
        type: 'custom',
        name: 'parcel',
        coordinateSystem: 'geo',
        geoIndex: 0,
        // one item per parcel; the polygon is drawn from its own ring so 10,000 parcels stay one series
        data: parcels.map((f, i) => ({ value: i, name: f.name, feature: f })),
        renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (c: [number, number]) => number[] }) => {
          const f = parcels[api.value(0)];
          const ring = (f.geometry as PolygonGeometry).coordinates[0];
          const status = String((f.props as { supplyStatus?: string }).supplyStatus ?? '');
          const isSel = `${f.layer}:${f.code}` === selected;
          return {
            type: 'polygon',
            shape: { points: ring.map((pt) => api.coord(pt)) },
            style: { fill: SUPPLY_COLOURS[status] ?? '#595959', opacity: 0.75, stroke: isSel ? '#f5222d' : '#fff', lineWidth: isSel ? 3 : 0.5 },
          };
        },
        tooltip: { formatter: (x: { data: { feature: MapFeature } }) => `${x.data.feature.name}<br/>${townName(x.data.feature.areaId)}` },
        z: 3,
      });
    }
    for (const layer of ['carrier', 'opportunity'] as const) {
      if (!layers[layer]) continue;
      const data = points
        .filter((f) => f.layer === layer)
        .map((f) => ({ name: f.name, value: (f.geometry as PointGeometry).coordinates, feature: f, symbolSize: `${f.layer}:${f.code}` === selected ? 16 : 8 }));
      series.push({
        type: 'scatter',
        name: layer,
        coordinateSystem: 'geo',
        geoIndex: 0,
        data,
        symbol: layer === 'carrier' ? 'rect' : 'circle',
        itemStyle: { color: layer === 'carrier' ? CARRIER : OPPORTUNITY, borderColor: '#fff', borderWidth: 1 },
        // many points: the large mode draws them in one path (the 50,000-point measurement in README)
        large: data.length > 2000,
        largeThreshold: 2000,
        tooltip: { formatter: (x: { data: { feature: MapFeature } }) => `${x.data.feature.name}<br/>${townName(x.data.feature.areaId)}` },
        z: 4,
      });
    }
    if (layers.route) {
      series.push({
        type: 'lines',
        name: 'route',
        coordinateSystem: 'geo',
        geoIndex: 0,
        polyline: true,
        data: routes.map((f, i) => ({
          name: f.name,
          feature: f,
          coords: ((f.props as unknown as RouteProps).stops ?? []).map((s) => [s.lon, s.lat]),
          lineStyle: { color: ['#cf1322', '#1d39c4', '#d46b08', '#08979c', '#7cb305'][i % 5], width: `${f.layer}:${f.code}` === selected ? 6 : 3, opacity: 0.9 },
        })),
        tooltip: { formatter: (x: { data: { feature: MapFeature } }) => x.data.feature.name },
        z: 5,
      });
    }
    c.setOption(
      {
        aria: { enabled: true },
        animation: false,
        tooltip: { trigger: 'item', confine: true },
        geo: {
          map: p.mapName,
          roam: true,
          ...(p.focus ? { center: [p.focus.lon, p.focus.lat], zoom: p.focus.zoom } : {}),
          nameProperty: 'name',
          aspectScale: 0.86,
          label: { show: false },
          itemStyle: { areaColor: '#f0f5ff', borderColor: '#8c8c8c', borderWidth: 0.8 },
          emphasis: { disabled: true },
          select: { disabled: true },
          tooltip: { show: true, formatter: (x: { name: string }) => townName(x.name) },
        },
        visualMap: layers.heat
          ? { type: 'continuous', min: 0, max, seriesIndex: 0, left: 8, bottom: 8, calculable: false, text: [String(Math.round(max)), '0'], inRange: { color: ['#fff7e6', '#fa8c16', '#a8071a'] }, itemHeight: 80, itemWidth: 10 }
          : undefined,
        series,
      },
      { notMerge: true },
    );
  }, [p.layers, p.parcels, p.points, p.routes, p.heat, p.selected, p.regions, p.mapName, p.heatLabel, p.townName, p.focus?.lon, p.focus?.lat, p.focus?.zoom]);

  return <div ref={el} role="img" aria-label={p.ariaLabel} data-testid="investment-map" style={{ width: '100%', height: p.height }} />;
}
