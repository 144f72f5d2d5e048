// The drawing pad's ink: white round strokes on a black SIZE×SIZE canvas, from pointer events
// (mouse, touch, pen; coalesced events for smooth lines). No Svelte here: DrawPad attaches it to
// its canvas and decides what to ask the network.

/** Pad resolution; CSS scales it. A 20 px stroke on 280 px is ~10 % of a digit's height, as in MNIST. */
export const PAD_SIZE = 280;
const LINE = 20;

type Point = { x: number; y: number };

export class Ink {
  #pad: HTMLCanvasElement | null = null;
  #ctx: CanvasRenderingContext2D | null = null;
  #last: Point | null = null;

  /** For `{@attach}`: takes the canvas, returns the detach. */
  attach(canvas: HTMLCanvasElement): () => void {
    this.#pad = canvas;
    canvas.width = PAD_SIZE;
    canvas.height = PAD_SIZE;
    this.#ctx = canvas.getContext('2d', { willReadFrequently: true });
    return () => {
      this.#pad = null;
      this.#ctx = null;
    };
  }

  get drawing(): boolean {
    return this.#last !== null;
  }

  /** The pad's pixels, for preprocessing; null before it is attached. */
  pixels(): ImageData | null {
    return this.#ctx?.getImageData(0, 0, PAD_SIZE, PAD_SIZE) ?? null;
  }

  /** A pointer went down: a dot, and the stroke begins. False for a button that does not draw. */
  start(e: PointerEvent): boolean {
    if (e.pointerType === 'mouse' && e.button !== 0) return false;
    e.preventDefault();
    this.#pad?.setPointerCapture(e.pointerId);
    this.#pad?.focus({ preventScroll: true });
    this.#last = this.#at(e);
    this.#segment(this.#last, this.#last);
    return true;
  }

  /** The pointer moved: the stroke follows it. False when no stroke is going on. */
  extend(e: PointerEvent): boolean {
    if (!this.#last) return false;
    e.preventDefault();
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length > 0 ? events : [e]) {
      const p = this.#at(ev);
      this.#segment(this.#last, p);
      this.#last = p;
    }
    return true;
  }

  /** The pointer went up (or was lost): the stroke ends. False when none was going on. */
  end(e: PointerEvent): boolean {
    if (!this.#last) return false;
    this.#last = null;
    if (this.#pad?.hasPointerCapture(e.pointerId)) this.#pad.releasePointerCapture(e.pointerId);
    return true;
  }

  /** Paints a small grey image (values 0..max, ink bright) over the whole pad, blocky, for show. */
  show(values: ArrayLike<number>, width: number, height: number, max: number): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    this.clear();
    const [w, h] = [PAD_SIZE / width, PAD_SIZE / height];
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const g = Math.round((Math.min(max, Math.max(0, values[y * width + x]!)) / max) * 255);
        if (g === 0) continue;
        ctx.fillStyle = `rgb(${g}, ${g}, ${g})`;
        ctx.fillRect(x * w, y * h, Math.ceil(w), Math.ceil(h));
      }
  }

  clear(): void {
    this.#ctx?.clearRect(0, 0, PAD_SIZE, PAD_SIZE);
    this.#last = null;
  }

  #at(e: PointerEvent): Point {
    const r = this.#pad!.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) / Math.max(1, r.width)) * PAD_SIZE,
      y: ((e.clientY - r.top) / Math.max(1, r.height)) * PAD_SIZE,
    };
  }

  #segment(from: Point, to: Point): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = LINE;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }
}
