"""Scheduled jobs (APScheduler): each state's posts, reminders and follow-ups."""
