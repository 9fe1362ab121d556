"""Practice between the quizzes: drills (对练) from the scripts, spaced review with FSRS,
the personal 错题本 and Anki decks. Readers return plain data; only the writers touch disk."""
