;; The int8 dot products of a sparse query with every row, column by column (`sparse-scan.ts` says when and why).
;; Assembled into `sparse-scan-wasm.ts` by `node scripts/build-wasm.mjs`; a test checks that the two agree.
;;
;; scan(cols, stride, count, weights, out, rows):
;;   out[r] = Σ_k weights[k] · cols[k · stride + r]   for r in [0, rows), rows a multiple of 16
;; where `cols` holds `count` int8 columns `stride` bytes apart, `weights` `count` int32 (each within ±127) and `out`
;; receives int32 sums. Sixteen rows at a time: their sixteen sums stay in four i32x4 registers over all the columns,
;; so each column costs one 16-byte load, two widenings and four widening multiply-adds per sixteen rows.
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $cols i32) (param $stride i32) (param $count i32) (param $weights i32) (param $out i32) (param $rows i32)
    (local $r i32) (local $k i32) (local $p i32)
    (local $w v128) (local $v v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (local.set $p (i32.add (local.get $cols) (local.get $r)))
        (block $cols_done
          (loop $cols_loop
            (br_if $cols_done (i32.ge_u (local.get $k) (local.get $count)))
            (local.set $w (i16x8.splat (i32.load (i32.add (local.get $weights) (i32.shl (local.get $k) (i32.const 2))))))
            (local.set $v (v128.load (local.get $p)))
            (local.set $lo (i16x8.extend_low_i8x16_s (local.get $v)))
            (local.set $hi (i16x8.extend_high_i8x16_s (local.get $v)))
            (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_s (local.get $lo) (local.get $w))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_s (local.get $lo) (local.get $w))))
            (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_s (local.get $hi) (local.get $w))))
            (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_s (local.get $hi) (local.get $w))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $cols_loop)))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))))
        (v128.store offset=0 (local.get $p) (local.get $a0))
        (v128.store offset=16 (local.get $p) (local.get $a1))
        (v128.store offset=32 (local.get $p) (local.get $a2))
        (v128.store offset=48 (local.get $p) (local.get $a3))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (br $rows_loop)))))
