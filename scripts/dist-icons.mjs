// Draws CNN Studio's icon and writes every file the installers need, with Node alone (no
// ImageMagick, no rsvg): `node scripts/dist-icons.mjs`. The output is committed, so packaging
// never runs this. One list of shapes (SHAPES) feeds both the SVG and a small anti-aliased
// rasteriser (signed distances, so each size is drawn from the vectors, not downscaled).
//
//   resources/icon.svg              the drawing (icon-small.svg: the 16–32 px variant)
//   resources/icon.png              1024×1024 (generic; electron-builder's fallback)
//   resources/icons/NxN.png         16 … 1024, the Linux icon set (AppImage, deb)
//   resources/icon.ico              Windows: 16–128 as 32-bit BMP entries, 256 as PNG
//   resources/icon.icns             macOS: PNG entries 16 … 1024 (incl. @2x)
//
// The motif: a 6×6 input image of a "7", a 3×3 kernel window on it, the stack of feature maps it
// projects to, and ten output bars with the "7" winning. At 32 px and below a bolder variant
// (SMALL_SHAPES: fewer, larger parts, less margin) keeps it legible.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const RESOURCES = fileURLToPath(new URL('../resources/', import.meta.url));
const UNIT = 1024; // the drawing's coordinate space

const ORANGE = [255, 169, 77];
const INK = [238, 243, 255];

/** @typedef {[number, number, number]} RGB */
/**
 * @typedef {{ kind: 'rect', x: number, y: number, w: number, h: number, r: number,
 *   fill?: RGB, alpha?: number, stroke?: number, gradient?: [RGB, RGB] }
 *  | { kind: 'line', x1: number, y1: number, x2: number, y2: number, width: number,
 *   fill: RGB, alpha?: number }} Shape
 */

/** @returns {Shape[]} */
function shapes() {
  /** @type {Shape[]} */
  const list = [];
  // Body: the macOS icon grid (824 of 1024, corner 184); the other platforms use it as is.
  list.push({
    kind: 'rect',
    x: 100,
    y: 100,
    w: 824,
    h: 824,
    r: 184,
    gradient: [
      [36, 59, 107],
      [15, 23, 48],
    ],
  });
  // Input image: a 6×6 "7".
  const seven = ['011111', '000011', '000110', '001100', '001100', '011000'];
  const gx = 168;
  const gy = 236;
  const pitch = 58;
  seven.forEach((row, r) =>
    [...row].forEach((on, c) =>
      list.push({
        kind: 'rect',
        x: gx + c * pitch,
        y: gy + r * pitch,
        w: 50,
        h: 50,
        r: 8,
        fill: on === '1' ? INK : [255, 255, 255],
        alpha: on === '1' ? 1 : 0.09,
      }),
    ),
  );
  // Feature maps: a stack of three, the front one with a 4×4 grid of activations.
  list.push({
    kind: 'rect',
    x: 604,
    y: 236,
    w: 200,
    h: 200,
    r: 20,
    fill: [61, 111, 216],
    alpha: 0.55,
  });
  list.push({
    kind: 'rect',
    x: 636,
    y: 268,
    w: 200,
    h: 200,
    r: 20,
    fill: [79, 143, 240],
    alpha: 0.8,
  });
  list.push({ kind: 'rect', x: 668, y: 300, w: 200, h: 200, r: 20, fill: [94, 200, 242] });
  const act = [
    [0.15, 0.55, 0.3, 0.1],
    [0.35, 1, 0.6, 0.2],
    [0.2, 0.7, 0.45, 0.05],
    [0.1, 0.25, 0.15, 0.3],
  ];
  act.forEach((row, r) =>
    row.forEach((v, c) =>
      list.push({
        kind: 'rect',
        x: 680 + c * 46,
        y: 312 + r * 46,
        w: 38,
        h: 38,
        r: 6,
        fill: r === 1 && c === 1 ? ORANGE : [15, 23, 48],
        alpha: r === 1 && c === 1 ? 1 : 0.75 - 0.6 * v,
      }),
    ),
  );
  // The kernel window and its projection onto one output cell.
  list.push({ kind: 'rect', x: 274, y: 284, w: 186, h: 186, r: 18, fill: ORANGE, stroke: 14 });
  list.push({
    kind: 'line',
    x1: 460,
    y1: 284,
    x2: 726,
    y2: 358,
    width: 8,
    fill: ORANGE,
    alpha: 0.8,
  });
  list.push({
    kind: 'line',
    x1: 460,
    y1: 470,
    x2: 726,
    y2: 396,
    width: 8,
    fill: ORANGE,
    alpha: 0.8,
  });
  // Output: ten probability bars, "7" on top.
  const heights = [26, 18, 34, 40, 22, 30, 20, 190, 36, 28];
  heights.forEach((h, i) =>
    list.push({
      kind: 'rect',
      x: 210 + i * 62,
      y: 812 - h,
      w: 46,
      h: h + 8,
      r: 8,
      fill: i === 7 ? ORANGE : [143, 179, 255],
      alpha: i === 7 ? 1 : 0.55,
    }),
  );
  list.push({ kind: 'line', x1: 200, y1: 826, x2: 824, y2: 826, width: 4, fill: INK, alpha: 0.3 });
  return list;
}

/** The same idea for 16–32 px: a 3×3 "7" in the kernel window, one projection, two maps. */
function smallShapes() {
  /** @type {Shape[]} */
  const list = [];
  list.push({
    kind: 'rect',
    x: 32,
    y: 32,
    w: 960,
    h: 960,
    r: 200,
    gradient: [
      [36, 59, 107],
      [15, 23, 48],
    ],
  });
  ['111', '001', '010'].forEach((row, r) =>
    [...row].forEach((on, c) =>
      list.push({
        kind: 'rect',
        x: 150 + c * 140,
        y: 250 + r * 140,
        w: 120,
        h: 120,
        r: 16,
        fill: on === '1' ? INK : [255, 255, 255],
        alpha: on === '1' ? 1 : 0.12,
      }),
    ),
  );
  list.push({ kind: 'rect', x: 110, y: 210, w: 480, h: 480, r: 48, fill: ORANGE, stroke: 48 });
  list.push({
    kind: 'rect',
    x: 590,
    y: 300,
    w: 300,
    h: 300,
    r: 40,
    fill: [79, 143, 240],
    alpha: 0.8,
  });
  list.push({ kind: 'rect', x: 650, y: 360, w: 300, h: 300, r: 40, fill: [94, 200, 242] });
  list.push({ kind: 'rect', x: 740, y: 450, w: 120, h: 120, r: 16, fill: ORANGE });
  list.push({
    kind: 'rect',
    x: 150,
    y: 780,
    w: 720,
    h: 64,
    r: 32,
    fill: [143, 179, 255],
    alpha: 0.5,
  });
  list.push({ kind: 'rect', x: 150, y: 780, w: 430, h: 64, r: 32, fill: ORANGE });
  return list;
}
const SMALL = 32; // at or below this size, smallShapes()

// --- SVG -----------------------------------------------------------------------------------------

const hex = (/** @type {RGB} */ c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

function svg(/** @type {Shape[]} */ list) {
  const body = list.map((s) => {
    const opacity = s.alpha !== undefined && s.alpha < 1 ? ` opacity="${+s.alpha.toFixed(3)}"` : '';
    if (s.kind === 'line')
      return `  <line x1="${s.x1}" y1="${s.y1}" x2="${s.x2}" y2="${s.y2}" stroke="${hex(s.fill)}" stroke-width="${s.width}" stroke-linecap="round"${opacity}/>`;
    const paint = s.gradient
      ? 'fill="url(#bg)"'
      : s.stroke
        ? `fill="none" stroke="${hex(s.fill ?? INK)}" stroke-width="${s.stroke}"`
        : `fill="${hex(s.fill ?? INK)}"`;
    return `  <rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" rx="${s.r}" ${paint}${opacity}/>`;
  });
  const bg = /** @type {Extract<Shape, {kind: 'rect'}>} */ (list[0]).gradient ?? [INK, INK];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${UNIT}" height="${UNIT}" viewBox="0 0 ${UNIT} ${UNIT}">
  <!-- CNN Studio: generated by scripts/dist-icons.mjs; edit the shapes there, not this file. -->
  <defs>
    <linearGradient id="bg" x1="0" y1="100" x2="0" y2="924" gradientUnits="userSpaceOnUse">
      <stop offset="0" stop-color="${hex(bg[0])}"/>
      <stop offset="1" stop-color="${hex(bg[1])}"/>
    </linearGradient>
  </defs>
${body.join('\n')}
</svg>
`;
}

// --- Rasteriser ----------------------------------------------------------------------------------

/** Signed distance from (px, py) to a rounded rectangle (negative inside). */
function roundRectDistance(px, py, s) {
  const hw = s.w / 2;
  const hh = s.h / 2;
  const r = Math.min(s.r, hw, hh);
  const qx = Math.abs(px - (s.x + hw)) - (hw - r);
  const qy = Math.abs(py - (s.y + hh)) - (hh - r);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - r;
}

/** Signed distance from (px, py) to a line with round caps of the given width. */
function lineDistance(px, py, s) {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const t = Math.max(0, Math.min(1, ((px - s.x1) * dx + (py - s.y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (s.x1 + t * dx), py - (s.y1 + t * dy)) - s.width / 2;
}

function bounds(s) {
  if (s.kind === 'line') {
    const m = s.width;
    return [
      Math.min(s.x1, s.x2) - m,
      Math.min(s.y1, s.y2) - m,
      Math.max(s.x1, s.x2) + m,
      Math.max(s.y1, s.y2) + m,
    ];
  }
  const m = (s.stroke ?? 0) + 2;
  return [s.x - m, s.y - m, s.x + s.w + m, s.y + s.h + m];
}

/** RGBA pixels (straight alpha), `size`×`size`. */
function rasterise(/** @type {Shape[]} */ list, size) {
  const scale = size / UNIT; // output pixels per unit
  const acc = new Float64Array(size * size * 4); // premultiplied
  for (const s of list) {
    const [x0, y0, x1, y1] = bounds(s);
    const pxFrom = Math.max(0, Math.floor(x0 * scale));
    const pxTo = Math.min(size, Math.ceil(x1 * scale) + 1);
    const pyFrom = Math.max(0, Math.floor(y0 * scale));
    const pyTo = Math.min(size, Math.ceil(y1 * scale) + 1);
    for (let py = pyFrom; py < pyTo; py++) {
      const uy = (py + 0.5) / scale;
      for (let px = pxFrom; px < pxTo; px++) {
        const ux = (px + 0.5) / scale;
        let d = s.kind === 'line' ? lineDistance(ux, uy, s) : roundRectDistance(ux, uy, s);
        if (s.kind === 'rect' && s.stroke) d = Math.abs(d) - s.stroke / 2;
        // Coverage of a one-pixel-wide box filter across the edge; never thinner than a pixel.
        const cover = Math.max(0, Math.min(1, 0.5 - d * scale));
        if (cover === 0) continue;
        let rgb = s.fill ?? INK;
        if (s.kind === 'rect' && s.gradient) {
          const t = Math.max(0, Math.min(1, (uy - s.y) / s.h));
          const [a, b] = s.gradient;
          rgb = [0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * t);
        }
        const alpha = cover * (s.alpha ?? 1);
        const o = (py * size + px) * 4;
        for (let i = 0; i < 3; i++) acc[o + i] = (rgb[i] / 255) * alpha + acc[o + i] * (1 - alpha);
        acc[o + 3] = alpha + acc[o + 3] * (1 - alpha);
      }
    }
  }
  const out = Buffer.alloc(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    const a = acc[p * 4 + 3];
    for (let i = 0; i < 3; i++)
      out[p * 4 + i] = a > 0 ? Math.round(Math.min(1, acc[p * 4 + i] / a) * 255) : 0;
    out[p * 4 + 3] = Math.round(a * 255);
  }
  return out;
}

// --- PNG, ICO, ICNS ------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(/** @type {Buffer} */ buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG; each row takes whichever of the None/Sub/Up filters is smallest. */
function png(/** @type {Buffer} */ rgba, size) {
  const stride = size * 4;
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = rgba.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rgba.subarray((y - 1) * stride, y * stride) : null;
    const sub = Buffer.alloc(stride);
    const up = Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      sub[i] = (row[i] - (i >= 4 ? row[i - 4] : 0)) & 0xff;
      up[i] = (row[i] - (prev ? prev[i] : 0)) & 0xff;
    }
    const cost = (b) => b.reduce((s, v) => s + (v < 128 ? v : 256 - v), 0);
    const options = [
      [0, row],
      [1, sub],
      [2, up],
    ];
    const [filter, data] = options.reduce((best, o) => (cost(o[1]) < cost(best[1]) ? o : best));
    rows.push(Buffer.from([filter]), data);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter set, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 32-bit BMP icon entry (BITMAPINFOHEADER, bottom-up BGRA, an all-clear AND mask). */
function bmpEntry(/** @type {Buffer} */ rgba, size) {
  const maskStride = Math.ceil(size / 32) * 4;
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour + mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4 + maskStride * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      const to = ((size - 1 - y) * size + x) * 4;
      pixels[to] = rgba[from + 2];
      pixels[to + 1] = rgba[from + 1];
      pixels[to + 2] = rgba[from];
      pixels[to + 3] = rgba[from + 3];
    }
  return Buffer.concat([header, pixels, Buffer.alloc(maskStride * size)]);
}

function ico(/** @type {Map<number, {rgba: Buffer, png: Buffer}>} */ images, sizes) {
  const entries = sizes.map((size) => {
    const img = images.get(size);
    // Windows' own icons keep small sizes as BMP and 256 as PNG; NSIS and old shells read both.
    return { size, data: size >= 256 ? img.png : bmpEntry(img.rgba, size) };
  });
  const header = Buffer.alloc(6 + 16 * entries.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(entries.length, 4);
  let offset = header.length;
  entries.forEach(({ size, data }, i) => {
    const at = 6 + 16 * i;
    header[at] = size >= 256 ? 0 : size; // 0 means 256
    header[at + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, at + 4); // planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(data.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...entries.map((e) => e.data)]);
}

/** ICNS types holding PNG data, by pixel size (several types share a size: 1x and @2x). */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

function icns(/** @type {Map<number, {png: Buffer}>} */ images) {
  const parts = ICNS_TYPES.map(([type, size]) => {
    const data = images.get(size).png;
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

function main() {
  const list = shapes();
  const small = smallShapes();
  const images = new Map();
  for (const size of PNG_SIZES) {
    const rgba = rasterise(size <= SMALL ? small : list, size);
    images.set(size, { rgba, png: png(rgba, size) });
  }
  mkdirSync(join(RESOURCES, 'icons'), { recursive: true });
  writeFileSync(join(RESOURCES, 'icon.svg'), svg(list));
  writeFileSync(join(RESOURCES, 'icon-small.svg'), svg(small));
  writeFileSync(join(RESOURCES, 'icon.png'), images.get(1024).png);
  for (const size of PNG_SIZES)
    writeFileSync(join(RESOURCES, 'icons', `${size}x${size}.png`), images.get(size).png);
  writeFileSync(join(RESOURCES, 'icon.ico'), ico(images, ICO_SIZES));
  writeFileSync(join(RESOURCES, 'icon.icns'), icns(images));
  console.log(
    `Wrote resources/icon.{svg,png,ico,icns} and resources/icons/ (${PNG_SIZES.join(', ')} px).`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
