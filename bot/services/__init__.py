"""Feature services: one object per feature, made once by the bot and shared by its cogs.

- `posting.CardPoster`: cards in channels, reveals, reaction ratings, the catch-up after downtime.
- `drops.DropRunner`: daily drops, exactly once.
- `reminders.ReminderService`: the daily DM of due cards.
- `study.StudyService`: what a member can study now (`/review`'s queue, `/due`'s overview).
"""
