// Whether this JavaScript runtime has WebAssembly relaxed SIMD, asked with a module of its own (not
// our kernels', so tests can check the kernels' choice against it): Electron's Node 22 has it,
// Node 20 only with --experimental-wasm-relaxed-simd.

/** A module whose one function returns f32x4.relaxed_madd of three zero vectors. */
function probeModule(): Uint8Array {
  const zeros = [0xfd, 0x0c, ...Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zeros, ...zeros, ...zeros, 0xfd, 0x85, 0x02, 0x0b]; // relaxed_madd, end
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b]; // one type: () -> v128
  const functions = [0x03, 0x02, 0x01, 0x00];
  const code = [0x0a, body.length + 2, 0x01, body.length, ...body];
  return new Uint8Array([...header, ...types, ...functions, ...code]);
}

export function runtimeHasRelaxedSimd(): boolean {
  try {
    new WebAssembly.Module(probeModule());
    return true;
  } catch {
    return false; // "simd opcode not available"
  }
}
