DROP TABLE spend_lines;
DROP TABLE contracts;
DROP TABLE imports;
