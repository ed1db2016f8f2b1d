DROP TABLE spend_year_totals;
