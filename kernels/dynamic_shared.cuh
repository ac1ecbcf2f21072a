#pragma once
// `name`, an array of `type` in the block's dynamic shared memory (the launch's sharedMemBytes). The CPU
// block emulator (src/test/cuda) defines its own, each block's.
#ifndef DYNAMIC_SHARED
#define DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#endif
