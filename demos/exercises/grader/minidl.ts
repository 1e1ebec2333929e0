/**
 * The student's library: the one door through which the grader reaches it.
 *
 * In an exercise repository this file reads `export * from '../lib'` (the student's lib/, next
 * to grader/); in the minidl checkout, where the grader lives in demos/exercises/grader, it
 * reads `export * from '../../../lib'`. The exercise generator rewrites that one path when it
 * copies the grader. Nothing else in the grader names the library's location.
 */
export * from '../../../lib';
