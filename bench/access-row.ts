/**
 * One line of the system tests' access matrix: a path, who asked, what they should get and what they got. Its own
 * module because both ./route-access.ts and ./https-headers.ts produce rows, and the first calls the second.
 */
export interface AccessRow {
  path: string;
  who: string;
  expected: string;
  got: string;
}
