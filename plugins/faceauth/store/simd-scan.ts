// 1:N scan kernel: int8 gallery rows × an int16 query with WebAssembly SIMD (i32x4.dot_i16x8_s).
// A scalar JS loop over 100,000 × 512 floats takes ~55 ms and onnxruntime's GEMM ~20 ms (memory-bound at
// 205 MB per scan); int8 rows are a quarter of the traffic and the SIMD loop keeps up with it.
// The module is a few hundred bytes, written here by hand (opcodes per the WebAssembly SIMD spec).

const leb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...Buffer.from(s, 'utf8')];
const SIMD = 0xfd;

/** scan(g, q, n, dim, out): out[r] = Σ_k g[r·dim + k] · q[k] for r < n (g int8, q int16, out int32; dim % 16 = 0). */
function scanModule(): Uint8Array<ArrayBuffer> {
  const [G, Q, N, DIM, OUT, ROW, K, ACC, GV] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const get = (l: number) => [0x20, l], set = (l: number) => [0x21, l], tee = (l: number) => [0x22, l];
  const i32 = (v: number) => [0x41, ...leb(v)];
  const load = (offset: number) => [SIMD, 0x00, 0x00, ...leb(offset)];
  const qAt = (offset: number) => [...get(Q), ...get(K), ...i32(1), 0x74, 0x6a, ...load(offset)]; // q + 2k
  const lane = (i: number) => [...get(ACC), SIMD, 0x1b, i];
  const body = [
    0x02, 0x40, ...get(N), 0x45, 0x0d, 0x00,
    0x03, 0x40,
    SIMD, 0x0c, ...new Array(16).fill(0), ...set(ACC), ...i32(0), ...set(K),
    0x03, 0x40,
    ...get(G), ...get(K), 0x6a, ...load(0), ...set(GV),
    ...get(ACC),
    ...get(GV), SIMD, 0x87, 0x01, ...qAt(0), SIMD, 0xba, 0x01, SIMD, 0xae, 0x01,
    ...get(GV), SIMD, 0x88, 0x01, ...qAt(16), SIMD, 0xba, 0x01, SIMD, 0xae, 0x01,
    ...set(ACC),
    ...get(K), ...i32(16), 0x6a, ...tee(K), ...get(DIM), 0x49, 0x0d, 0x00,
    0x0b,
    ...get(OUT), ...get(ROW), ...i32(2), 0x74, 0x6a,
    ...lane(0), ...lane(1), 0x6a, ...lane(2), 0x6a, ...lane(3), 0x6a,
    0x36, 0x02, 0x00,
    ...get(G), ...get(DIM), 0x6a, ...set(G),
    ...get(ROW), ...i32(1), 0x6a, ...tee(ROW), ...get(N), 0x49, 0x0d, 0x00,
    0x0b, 0x0b, 0x0b,
  ];
  const locals = vec([[2, 0x7f], [2, 0x7b]]);
  const code = [...locals, ...body];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f], [0x7f]]), 0x00]])),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0x00]])),
    ...section(7, vec([[...name('scan'), 0x00, 0x00]])),
    ...section(10, vec([[...leb(code.length), ...code]])),
  ]);
}

export interface Int8Scanner {
  readonly dim: number;
  /** Makes room for `rows` gallery rows (keeps the rows already written). */
  reserve(rows: number): void;
  /** The gallery rows as one flat int8 view (re-read after reserve: growing memory detaches views). */
  rows(): Int8Array;
  /** Dot products of the first n rows with the int8 query. */
  scan(query: Int8Array, n: number): Int32Array;
}

const PAGE = 65536;

export function createInt8Scanner(dim: number): Int8Scanner {
  if (dim % 16 !== 0) throw new Error('dimension must be a multiple of 16');
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(scanModule()), { env: { mem: memory } });
  const scan = instance.exports.scan as (g: number, q: number, n: number, dim: number, out: number) => void;
  const galleryOff = Math.ceil((dim * 2) / 64) * 64;
  let capacity = 0;
  const outOff = () => galleryOff + capacity * dim;
  return {
    dim,
    reserve(rows) {
      if (rows <= capacity) return;
      const next = Math.max(rows, Math.ceil(capacity * 1.5), 1024);
      const need = galleryOff + next * dim + next * 4;
      if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      capacity = next;
    },
    rows() { return new Int8Array(memory.buffer, galleryOff, capacity * dim); },
    scan(query, n) {
      if (query.length !== dim) throw new Error('query dimension mismatch');
      if (n > capacity) throw new Error('scan beyond reserved rows');
      new Int16Array(memory.buffer, 0, dim).set(query);
      scan(galleryOff, 0, n, dim, outOff());
      return new Int32Array(memory.buffer, outOff(), n);
    },
  };
}

/** Symmetric per-vector int8 quantisation: v ≈ q · scale. */
export function quantise(v: Float32Array, out: Int8Array = new Int8Array(v.length)): { q: Int8Array; scale: number } {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  const scale = max > 0 ? max / 127 : 1;
  for (let i = 0; i < v.length; i++) out[i] = Math.round(v[i] / scale);
  return { q: out, scale };
}
