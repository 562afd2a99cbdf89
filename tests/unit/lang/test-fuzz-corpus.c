#include "helpers.h"
#include "unit.h"
