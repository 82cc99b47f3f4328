"""The assets service: hardware and software register, moves, warranty and the monthly hardware workbook."""
