#pragma once
// An optimizer's step of a parameter, optimizer.cl's text as a device function.
#include "layout.cuh"
#include "dialect.cl"
#include "optimizer.cl"
