// How the OpenBLAS settings of this process read, for the native cases' notes: the machine sets
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE; the suite's `*-tuned` runs unset both.

/** `unset`, or the two settings as set. */
export function blasSettings(): string {
  const { OPENBLAS_CORETYPE: core, OPENBLAS_L2_SIZE: l2 } = process.env;
  return core === undefined && l2 === undefined ? 'unset' : `OPENBLAS_CORETYPE=${core ?? ''} OPENBLAS_L2_SIZE=${l2 ?? ''}`;
}
