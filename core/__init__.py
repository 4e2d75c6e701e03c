"""What every app shares and that imports no app: CSV downloads and formula-safe cells
(exports), plain-text and date validators, the one way numbers are written (formats), and
id_or_404 (http)."""
