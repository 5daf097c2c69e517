"""Evidence declarations: what each detector's evidence keys mean, in Vietnamese, and how people see them."""
