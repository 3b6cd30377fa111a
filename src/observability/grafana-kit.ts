/**
 * Small builders for Grafana dashboard JSON (schemaVersion 39): a dashboard
 * shell with a data source variable, query variables, and panels laid out left
 * to right on the 24-column grid. Every query goes to `${datasource}`, so the
 * same file imports into any Grafana with any Prometheus data source name.
 */

export const DS = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Target {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  type: 'timeseries' | 'stat' | 'state-timeline';
  title: string;
  description: string;
  targets: Target[];
  /** Grid width out of 24; height is 8 unless given. */
  w: number;
  h?: number;
  unit?: string;
  min?: number;
  max?: number;
  /** Threshold steps: the colour from `value` upwards; the first one has no value. */
  thresholds?: Array<{ color: string; value: number | null }>;
  /** Draw the thresholds on a time series as a dashed line. */
  thresholdLine?: boolean;
  /** Value-to-text mappings, for state panels. */
  mappings?: Array<{ value: number; text: string; color: string }>;
  bars?: boolean;
}

export function datasourceVariable() {
  return { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [], skipUrlSync: false };
}

export function queryVariable(name: string, label: string, query: string) {
  return {
    name, label, type: 'query', datasource: DS, definition: query,
    query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2, regex: '', sort: 1, multi: true, includeAll: true, allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] }, options: [], hide: 0, skipUrlSync: false,
  };
}

export function layoutPanels(specs: PanelSpec[]): unknown[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((s, i) => {
    const h = s.h ?? 8;
    if (x + s.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w: s.w, x, y };
    x += s.w;
    rowHeight = Math.max(rowHeight, h);
    return panel(s, i + 1, gridPos);
  });
}

function panel(s: PanelSpec, id: number, gridPos: { h: number; w: number; x: number; y: number }) {
  const defaults: Record<string, unknown> = {
    color: { mode: s.mappings ? 'thresholds' : 'palette-classic' },
    mappings: (s.mappings ?? []).map((m) => ({ type: 'value', options: { [String(m.value)]: { text: m.text, color: m.color, index: 0 } } })),
    thresholds: { mode: 'absolute', steps: s.thresholds ?? [{ color: 'green', value: null }] },
    // Every panel states its unit: value-mapped panels (states, up/down) have none, counts are `short`.
    unit: s.unit ?? (s.mappings ? 'none' : 'short'),
    ...(s.min !== undefined ? { min: s.min } : {}),
    ...(s.max !== undefined ? { max: s.max } : {}),
  };
  if (s.type === 'timeseries') {
    defaults.custom = {
      drawStyle: s.bars ? 'bars' : 'line', lineWidth: 1, fillOpacity: s.bars ? 80 : 10, showPoints: 'never', spanNulls: false,
      stacking: { mode: s.bars ? 'normal' : 'none', group: 'A' },
      thresholdsStyle: { mode: s.thresholdLine ? 'dashed' : 'off' },
    };
  }
  if (s.type === 'state-timeline') defaults.custom = { fillOpacity: 80, lineWidth: 0 };
  return {
    id, type: s.type, title: s.title, description: s.description, datasource: DS, gridPos,
    targets: s.targets.map((t, i) => ({ datasource: DS, expr: t.expr, legendFormat: t.legend ?? '__auto', range: true, refId: String.fromCharCode(65 + i) })),
    fieldConfig: { defaults, overrides: [] },
    options: panelOptions(s),
  };
}

function panelOptions(s: PanelSpec): Record<string, unknown> {
  const legend = { displayMode: 'list', placement: 'bottom', showLegend: true };
  if (s.type === 'stat') return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'none', textMode: 'auto', orientation: 'auto', justifyMode: 'auto' };
  if (s.type === 'state-timeline') return { mergeValues: true, showValue: 'auto', alignValue: 'left', rowHeight: 0.9, legend, tooltip: { mode: 'single', sort: 'none' } };
  return { legend, tooltip: { mode: 'multi', sort: 'desc' } };
}

export function dashboard(uid: string, title: string, description: string, variables: unknown[], panels: PanelSpec[]) {
  return {
    annotations: {
      list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }],
    },
    description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: layoutPanels(panels),
    refresh: '30s',
    schemaVersion: 39,
    tags: ['pitcrew'],
    templating: { list: [datasourceVariable(), ...variables] },
    time: { from: 'now-24h', to: 'now' },
    timepicker: {},
    timezone: '',
    title,
    uid,
    version: 1,
    weekStart: '',
  };
}
