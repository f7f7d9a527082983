import { importEsm } from './esm-import';

/** A Vega-Lite specification as plain JSON (see https://vega.github.io/vega-lite/docs/). */
export type VegaLiteSpec = Record<string, unknown>;

interface VegaLiteModule {
  compile(spec: VegaLiteSpec): { spec: object };
}
interface VegaView {
  toSVG(): Promise<string>;
  finalize(): void;
}
interface VegaModule {
  parse(spec: object, config?: object): object;
  View: new (runtime: object, options: { renderer: 'none' }) => VegaView;
}

let modules: Promise<[VegaModule, VegaLiteModule]> | undefined;

function loadVega(): Promise<[VegaModule, VegaLiteModule]> {
  modules ??= Promise.all([importEsm<VegaModule>('vega'), importEsm<VegaLiteModule>('vega-lite')]);
  return modules;
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/** Vega-Lite -> SVG string in Node, headless (renderer 'none': no canvas needed). */
export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vl] = await loadVega();
  const withDefaults: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    ...spec,
    config: { font: FONT, ...((spec['config'] as object | undefined) ?? {}) },
  };
  const view = new vega.View(vega.parse(vl.compile(withDefaults).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

interface ResvgModule {
  Resvg: new (
    svg: string,
    options: {
      fitTo?: { mode: 'zoom'; value: number };
      font?: { loadSystemFonts?: boolean; defaultFontFamily?: string };
      background?: string;
    },
  ) => { render(): { asPng(): Uint8Array } };
}

/** SVG -> PNG with resvg (native, no browser), at `scale` times the SVG's size. */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { Resvg } = await importEsm<ResvgModule>('@resvg/resvg-js');
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return r.render().asPng();
}
