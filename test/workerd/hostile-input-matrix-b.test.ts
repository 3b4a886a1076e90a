/** Part 2 of 3 of the route × hostile input matrix (see hostile-input-matrix.case.ts). */
import { hostileInputMatrix } from './hostile-input-matrix.case.ts';

hostileInputMatrix(1, 3);
