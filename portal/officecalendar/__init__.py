"""The office's working-day calendar: override table and Ramadan decree, built into engine.WorkCalendar."""
