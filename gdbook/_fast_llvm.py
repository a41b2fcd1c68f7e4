"""Machine instructions that numba does not offer, written as LLVM intrinsics.

Imported only by the compiled kernels (`gdbook._fast_numba`, `gdbook._fast_rng`).
`prefetch` is a hint to the memory system and changes no value; `mulhi` is the
exact high half of a 64 x 64-bit product; `dot` is a dot product in SIMD
registers, in an order fixed here (no `fastmath`: numba would not vectorise a
sum without leave to reorder it, and that leave would make the order the
compiler's).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, row, column):
    """Hint the CPU to fetch `array[row, column]` (`array[row]` if 1-D) into cache.

    `llvm.prefetch`: no effect on any value. The address is computed from the
    indices, so no view of the array is made (a view costs a reference count).
    """

    def codegen(context, builder, signature, args):
        array_type, row_type, column_type = signature.args
        view = context.make_array(array_type)(context, builder, args[0])
        indices = [context.cast(builder, args[1], row_type, types.intp)]
        if array_type.ndim == 2:
            indices.append(context.cast(builder, args[2], column_type, types.intp))
        ptr = cgutils.get_item_pointer(context, builder, array_type, view, indices)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        signature = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, signature, "llvm.prefetch.p0i8")
        # read, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, row, column), codegen


@intrinsic
def mulhi(typingctx, a, b):
    """The high 64 bits of the 128-bit product of two uint64 (one `mul` on x86-64)."""

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return types.uint64(types.uint64, types.uint64), codegen


LANES = 8
"""Partial sums of `dot`: one per lane of a 512-bit (float64) or 256-bit (float32) register."""


@intrinsic
def dot(typingctx, X, row, w):
    """`X[row] @ w[:X.shape[1]]` in a fixed order, vectorised: numba alone leaves it scalar.

    Eight running sums, the k-th over the features `j = k (mod 8)` before the
    last `d % 8`, are added as `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`;
    then the last features in order. `X` is a C-contiguous 2-D array, `w` a
    contiguous 1-D array of the same dtype with at least `X.shape[1]` entries.
    """
    dtype = X.dtype

    def codegen(context, builder, signature, args):
        x_type, row_type, w_type = signature.args
        x_view = context.make_array(x_type)(context, builder, args[0])
        w_view = context.make_array(w_type)(context, builder, args[2])
        intp = context.get_value_type(types.intp)
        d = builder.extract_value(x_view.shape, 1)
        row = context.cast(builder, args[1], row_type, types.intp)
        x_row, w_data = builder.gep(x_view.data, [builder.mul(row, d)]), w_view.data
        scalar = context.get_value_type(dtype)
        vector = ir.VectorType(scalar, LANES)
        body = builder.sub(d, builder.srem(d, ir.Constant(intp, LANES)))
        sums = cgutils.alloca_once_value(builder, ir.Constant(vector, [0.0] * LANES))
        step = ir.Constant(intp, LANES)
        def load(data, j):  # eight numbers from data[j], unaligned
            return builder.load(builder.bitcast(builder.gep(data, [j]), vector.as_pointer()),
                                align=1)

        with cgutils.for_range_slice(builder, ir.Constant(intp, 0), body, step, intp) as (j, _):
            products = builder.fmul(load(x_row, j), load(w_data, j))
            builder.store(builder.fadd(builder.load(sums), products), sums)
        lanes = builder.load(sums)
        s = [builder.extract_element(lanes, ir.Constant(ir.IntType(32), k)) for k in range(LANES)]
        pairs = [builder.fadd(s[k], s[k + 1]) for k in range(0, LANES, 2)]
        total = builder.fadd(builder.fadd(pairs[0], pairs[1]), builder.fadd(pairs[2], pairs[3]))
        result = cgutils.alloca_once_value(builder, total)
        with cgutils.for_range_slice(builder, body, d, ir.Constant(intp, 1), intp) as (j, _):
            term = builder.fmul(builder.load(builder.gep(x_row, [j])),
                                builder.load(builder.gep(w_data, [j])))
            builder.store(builder.fadd(builder.load(result), term), result)
        return builder.load(result)

    return dtype(X, row, w), codegen


@intrinsic
def fma(typingctx, a, b, c):
    """`a * b + c` with a single rounding (`llvm.fma`: the fused multiply-add of IEEE 754)."""

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return a(a, b, c), codegen
