import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { api } from '../api/client';
import type { Area } from '../api/types';

let cache: Promise<Area[]> | null = null;

/** The district's areas (区镇), fetched once; until they arrive (or if the endpoint is missing) ids are shown. */
export function useAreas(): { areas: Area[]; areaName: (id: string | null | undefined) => string } {
  const { pick } = useI18n();
  const [areas, setAreas] = useState<Area[]>([]);
  useEffect(() => {
    cache ??= api.areas().catch(() => {
      cache = null;
      return [] as Area[];
    });
    let live = true;
    cache.then((a) => live && setAreas(Array.isArray(a) ? a : []));
    return () => {
      live = false;
    };
  }, []);
  const nameOf = (a: Area) => pick(a.name, a.nameEn);
  return { areas: areas.map((a) => ({ ...a, name: nameOf(a) })), areaName: (id) => (id ? ((a) => (a ? nameOf(a) : id))(areas.find((a) => a.id === id)) : '—') };
}
