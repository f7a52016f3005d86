/**
 * 投资热力图 /map (public, issue 13): the district and its towns, layers switchable, filters (industry, town,
 * readiness), search by name, a detail panel per feature (a Drawer below 768 px), and everything in the URL
 * (`?layers=parcel,heat&industry=digital-economy&town=bachi&ready=available&q=八坼&sel=parcel:BAC-0001`) so a link
 * reopens the same view and feature.
 */
import { Alert, Button, Card, Checkbox, Descriptions, Drawer, Flex, Grid, Input, List, Select, Space, Spin, Tag, Typography } from 'antd';
import { useCallback, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { getPolicy } from '../../api/client';
import { investmentApi, type CarrierProps, type MapBase, type MapFeature, type OpportunityProps, type ParcelProps, type RouteProps } from '../../api/investment';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n';
import { areaRegions } from '../../lib/mapRegions';
import { useAsync } from '../../lib/useAsync';
import { InvestmentMap, registerTowns, SUPPLY_COLOURS, type MapLayers } from './InvestmentMap';

const ALL_LAYERS = ['parcel', 'carrier', 'opportunity', 'heat', 'route'] as const;
const DEFAULT_LAYERS = 'parcel,carrier,opportunity,heat';
const MAP_NAME = 'wujiang-towns';

const industriesOf = (f: MapFeature): string[] => {
  const p = f.props as { industries?: string[]; industry?: string };
  return p.industries ?? (p.industry ? [p.industry] : []);
};

export default function MapPage() {
  const { t, pick, money } = useI18n();
  const [params, setParams] = useSearchParams();
  const md = Grid.useBreakpoint().md ?? true;
  const data = useAsync(async () => {
    const [base, features, heat] = await Promise.all([investmentApi.base(), investmentApi.features(), investmentApi.heat()]);
    const regions = areaRegions(
      base.district.geometry.coordinates[0],
      base.areas.map((a) => ({ id: a.id, lon: a.centre.lon, lat: a.centre.lat })),
      base.district.properties.centre?.[1] ?? 31,
    );
    registerTowns(MAP_NAME, regions);
    return { base, features: features.items, heat, regions };
  }, []);

  const layerParam = (params.get('layers') ?? DEFAULT_LAYERS).split(',').filter((x): x is (typeof ALL_LAYERS)[number] => (ALL_LAYERS as readonly string[]).includes(x));
  const layers: MapLayers = useMemo(() => Object.fromEntries(ALL_LAYERS.map((l) => [l, layerParam.includes(l)])) as unknown as MapLayers, [layerParam.join(',')]);
  const industry = params.get('industry') ?? undefined;
  const town = params.get('town') ?? undefined;
  const ready = params.get('ready') ?? undefined;
  const q = params.get('q') ?? '';
  const sel = params.get('sel') ?? undefined;

  const set = useCallback(
    (patch: Record<string, string | undefined>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(k) : next.set(k, v));
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const base: MapBase | undefined = data.data?.base;
  const townName = useCallback((id: string) => {
    const a = base?.areas.find((x) => x.id === id);
    return a ? pick(a.nameZh, a.nameEn) : id;
  }, [base, pick]);
  const industryName = (id: string) => {
    const i = base?.industries.find((x) => x.id === id);
    return i ? pick(i.zh, i.en) : id;
  };

  // Filters apply to parcels, carriers and opportunities alike (readiness only to parcels); routes are always whole.
  const shown = useMemo(() => {
    const all = data.data?.features ?? [];
    const term = q.trim().toLowerCase();
    const keep = (f: MapFeature) =>
      (!industry || industriesOf(f).includes(industry)) &&
      (!town || f.areaId === town) &&
      (!ready || f.layer !== 'parcel' || (f.props as unknown as ParcelProps).supplyStatus === ready) &&
      (!ready || f.layer === 'parcel') &&
      (!term || f.name.toLowerCase().includes(term) || f.code.toLowerCase().includes(term));
    return {
      parcels: all.filter((f) => f.layer === 'parcel' && keep(f)),
      points: all.filter((f) => (f.layer === 'carrier' || f.layer === 'opportunity') && keep(f)),
      routes: all.filter((f) => f.layer === 'route'),
    };
  }, [data.data, industry, town, ready, q]);

  const heat = useMemo(() => new Map((data.data?.heat.areas ?? []).map((r) => [r.areaId, r.availableLandSqm / 10000])), [data.data]);
  const selected = useMemo(() => {
    if (!sel) return undefined;
    const [layer, ...code] = sel.split(':');
    return data.data?.features.find((f) => f.layer === layer && f.code === code.join(':'));
  }, [sel, data.data]);
  const focus = useMemo(() => {
    if (selected) {
      const g = selected.geometry as { type: string; coordinates: unknown };
      const pt = g.type === 'Point' ? (g.coordinates as [number, number]) : g.type === 'Polygon' ? (g.coordinates as [number, number][][])[0][0] : undefined;
      if (pt) return { lon: pt[0], lat: pt[1], zoom: 6 };
    }
    const a = town ? data.data?.base.areas.find((x) => x.id === town) : undefined;
    return a ? { lon: a.centre.lon, lat: a.centre.lat, zoom: 3 } : undefined;
  }, [selected, town, data.data]);
  // the owning unit's name comes from the policy's agencies, fetched (once, cached) only when a feature is opened
  const policy = useAsync(() => (selected ? getPolicy() : Promise.resolve(undefined)), [!!selected]);
  const unitName = (id: string) => {
    const a = policy.data?.agencies.find((x) => x.id === id);
    return a ? pick(a.name, a.nameEn) : id;
  };
  const select = useCallback((f: MapFeature | undefined) => set({ sel: f ? `${f.layer}:${f.code}` : undefined }), [set]);

  if (data.error) return <ErrorAlert error={data.error} onRetry={data.reload} />;
  if (!data.data || !base) return <Spin style={{ display: 'block', margin: 48 }} />;

  const visible = [...(layers.parcel ? shown.parcels : []), ...shown.points.filter((f) => layers[f.layer as 'carrier' | 'opportunity'])];
  const layerName = (l: string) => (l === 'heat' ? t('inv.heat') : pick(base.layers[l as 'parcel'].zh, base.layers[l as 'parcel'].en));

  const detail = selected ? (
    <FeatureDetail f={selected} base={base} townName={townName} industryName={industryName} onClose={() => select(undefined)} />
  ) : (
    <div>
      <Typography.Text strong data-testid="inv-count">
        {t('inv.countShown', { parcels: layers.parcel ? shown.parcels.length : 0, carriers: layers.carrier ? shown.points.filter((f) => f.layer === 'carrier').length : 0, opportunities: layers.opportunity ? shown.points.filter((f) => f.layer === 'opportunity').length : 0 })}
      </Typography.Text>
      <List
        size="small"
        aria-label={t('inv.results')}
        dataSource={visible.slice(0, 30)}
        renderItem={(f) => (
          <List.Item>
            <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} onClick={() => select(f)}>
              {f.name}
            </Button>
            <Typography.Text type="secondary"> {townName(f.areaId)}</Typography.Text>
          </List.Item>
        )}
      />
      {visible.length > 30 && <Typography.Text type="secondary">{t('inv.more', { n: visible.length - 30 })}</Typography.Text>}
    </div>
  );

  return (
    <div>
      <PageTitle title={t('inv.mapTitle')} extra={<Link to="/map/match">{t('inv.matchTitle')}</Link>} sub={pick(base.notice.zh, base.notice.en)} />
      <Flex wrap gap={8} style={{ marginBottom: 8 }} role="search">
        <Checkbox.Group
          aria-label={t('inv.layers')}
          value={layerParam}
          onChange={(v) => set({ layers: (v as string[]).join(',') || 'none' })}
          options={ALL_LAYERS.map((l) => ({ value: l, label: layerName(l) }))}
        />
      </Flex>
      <Flex wrap gap={8} style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('inv.industry')}
          placeholder={t('inv.industry')}
          allowClear
          value={industry}
          onChange={(v) => set({ industry: v })}
          style={{ minWidth: 180, flex: md ? undefined : '1 1 100%' }}
          options={base.industries.map((i) => ({ value: i.id, label: pick(i.zh, i.en) }))}
        />
        <Select
          aria-label={t('inv.town')}
          placeholder={t('inv.town')}
          allowClear
          value={town}
          onChange={(v) => set({ town: v })}
          style={{ minWidth: 150, flex: md ? undefined : '1 1 45%' }}
          options={base.areas.map((a) => ({ value: a.id, label: pick(a.nameZh, a.nameEn) }))}
        />
        <Select
          aria-label={t('inv.readiness')}
          placeholder={t('inv.readiness')}
          allowClear
          value={ready}
          onChange={(v) => set({ ready: v })}
          style={{ minWidth: 140, flex: md ? undefined : '1 1 45%' }}
          options={(['available', 'planned', 'supplied'] as const).map((s) => ({ value: s, label: t(`inv.supply.${s}`) }))}
        />
        <Input.Search
          aria-label={t('inv.search')}
          placeholder={t('inv.search')}
          defaultValue={q}
          allowClear
          onSearch={(v) => set({ q: v.trim() || undefined })}
          style={{ width: md ? 240 : '100%' }}
        />
      </Flex>
      <Flex gap={12} align="stretch">
        <div style={{ flex: 1, minWidth: 0 }}>
          <InvestmentMap
            mapName={MAP_NAME}
            regions={data.data.regions}
            townName={townName}
            parcels={shown.parcels}
            points={shown.points}
            routes={shown.routes}
            heat={heat}
            heatLabel={t('inv.heatLegend')}
            layers={layers}
            selected={sel}
            focus={focus}
            onSelect={select}
            ariaLabel={t('inv.mapAria')}
            height={md ? 'calc(100vh - 260px)' : 360}
          />
          <Space wrap size={4} style={{ marginTop: 4 }}>
            {(['available', 'planned', 'supplied'] as const).map((s) => (
              <Tag key={s} color={SUPPLY_COLOURS[s]}>{t(`inv.supply.${s}`)}</Tag>
            ))}
            <Tag color="#1677ff">{layerName('carrier')}</Tag>
            <Tag color="#c41d7f">{layerName('opportunity')}</Tag>
            {layers.heat && <Typography.Text type="secondary">{t('inv.heatLegend')}</Typography.Text>}
          </Space>
        </div>
        {md && (
          <Card size="small" style={{ width: 340, flex: 'none', maxHeight: 'calc(100vh - 220px)', overflow: 'auto' }} data-testid="inv-panel">
            {detail}
          </Card>
        )}
      </Flex>
      {!md && (
        <>
          {!selected && <div style={{ marginTop: 12 }} data-testid="inv-panel">{detail}</div>}
          <Drawer open={!!selected} onClose={() => select(undefined)} placement="bottom" size="70%" title={selected?.name} destroyOnHidden>
            {selected && <FeatureDetail f={selected} base={base} townName={townName} industryName={industryName} />}
          </Drawer>
        </>
      )}
      {sel && !selected && <Alert type="warning" showIcon style={{ marginTop: 12 }} title={t('inv.notFound', { code: sel })} />}
    </div>
  );

  function FeatureDetail({ f, onClose }: { f: MapFeature; base: MapBase; townName: (id: string) => string; industryName: (id: string) => string; onClose?: () => void }) {
    const items: { key: string; label: string; children: React.ReactNode }[] = [
      { key: 'code', label: t('inv.code'), children: f.code },
      { key: 'town', label: t('inv.town'), children: townName(f.areaId) },
    ];
    if (f.layer === 'parcel') {
      const p = f.props as unknown as ParcelProps;
      items.push(
        { key: 'area', label: t('inv.area'), children: `${(p.areaSqm / 10000).toFixed(2)} ${t('inv.ha')}` },
        { key: 'status', label: t('inv.readiness'), children: <Tag color={SUPPLY_COLOURS[p.supplyStatus]}>{t(`inv.supply.${p.supplyStatus}`)}</Tag> },
        { key: 'year', label: t('inv.supplyYear'), children: p.supplyYear },
        { key: 'ind', label: t('inv.industry'), children: p.industries.map(industryName).join('、') },
        { key: 'line', label: t('inv.protectionLine'), children: p.insideProtectionLine ? t('inv.yes') : t('inv.no') },
        { key: 'soil', label: t('inv.soil'), children: p.soilSurveyDone ? t('inv.yes') : t('inv.no') },
        { key: 'power', label: t('inv.power'), children: p.powerKva ?? '—' },
        { key: 'water', label: t('inv.water'), children: p.waterTonsPerDay ?? '—' },
        { key: 'std', label: t('inv.standard'), children: [p.standard.investmentIntensity && t('inv.intensity', { n: p.standard.investmentIntensity }), p.standard.plotRatioMin !== undefined && t('inv.plotRatio', { a: p.standard.plotRatioMin, b: p.standard.plotRatioMax ?? '—' })].filter(Boolean).join('；') },
      );
    } else if (f.layer === 'carrier') {
      const p = f.props as unknown as CarrierProps;
      items.push(
        { key: 'floor', label: t('inv.floorAvailable'), children: `${p.floorAreaAvailable.toLocaleString()} / ${p.floorAreaTotal.toLocaleString()} m²` },
        { key: 'ind', label: t('inv.industry'), children: p.industries.map(industryName).join('、') },
        { key: 'power', label: t('inv.power'), children: p.powerKva ?? '—' },
      );
    } else if (f.layer === 'opportunity') {
      const p = f.props as unknown as OpportunityProps;
      items.push(
        { key: 'ind', label: t('inv.industry'), children: industryName(p.industry) },
        { key: 'amount', label: t('inv.amount'), children: money(p.amountFen) },
        { key: 'summary', label: t('inv.summary'), children: p.summary },
        { key: 'partner', label: t('inv.partner'), children: p.partnerWanted },
      );
    } else if (f.layer === 'route') {
      const p = f.props as unknown as RouteProps;
      items.push({ key: 'stops', label: t('inv.stops'), children: p.stops.map((s) => s.name).join(' → ') });
    }
    items.push({ key: 'owner', label: t('inv.owner'), children: unitName(f.ownerUnit) }, { key: 'confirmed', label: t('inv.confirmed'), children: <>{f.confirmedAt.slice(0, 10)} {f.stale && <Tag color="warning">{t('inv.stale')}</Tag>}</> });
    return (
      <div data-testid="inv-detail">
        <Flex justify="space-between" align="start">
          <Typography.Title level={5} style={{ marginTop: 0 }}>{f.name}</Typography.Title>
          {onClose && <Button size="small" onClick={onClose}>{t('inv.back')}</Button>}
        </Flex>
        <Tag>{layerName(f.layer)}</Tag>
        <Descriptions size="small" column={1} items={items} style={{ marginTop: 8 }} />
        {(f.layer === 'parcel' || f.layer === 'carrier') && <Link to="/map/match">{t('inv.matchHere')}</Link>}
      </div>
    );
  }
}
