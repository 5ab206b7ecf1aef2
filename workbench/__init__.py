"""Trainerswerkplaats: the trainers' workbench (a local web app for municipal staff).

See docs/architecture.md ("Trainers' workbench") and docs/trainers-handleiding.md.
"""
