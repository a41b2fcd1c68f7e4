"""Two machine instructions that numba does not offer, written as LLVM intrinsics.

Imported only by the compiled kernels (`gdbook._fast_numba`, `gdbook._fast_rng`).
Neither changes a value the kernels compute from what plain Python arithmetic
would give: `prefetch` is a hint to the memory system, and `mulhi` is the exact
high half of a 64 x 64-bit product.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, row):
    """Hint the CPU to fetch `array[row, 0]` into cache (`llvm.prefetch`); no effect on values."""

    def codegen(context, builder, signature, args):
        array_type, row_type = signature.args
        view = context.make_array(array_type)(context, builder, args[0])
        index = context.cast(builder, args[1], row_type, types.intp)
        ptr = cgutils.get_item_pointer(
            context, builder, array_type, view, [index, context.get_constant(types.intp, 0)]
        )
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        signature = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, signature, "llvm.prefetch.p0i8")
        # read, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, row), codegen


@intrinsic
def mulhi(typingctx, a, b):
    """The high 64 bits of the 128-bit product of two uint64 (one `mul` on x86-64)."""

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return types.uint64(types.uint64, types.uint64), codegen
