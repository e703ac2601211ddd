"""The question bank and the themes of the handreiking, so every verkenning starts with them."""

from django.db import migrations

# (text, uncomfortable): openers, the document's uncomfortable questions, then the snowball.
QUESTIONS = [
    ("Wat is je rol en waar houd je je dagelijks mee bezig?", False),
    ("Waar kom je ondermijning tegen in je werk?", False),
    ("Met wie werk je samen, binnen en buiten je afdeling?", False),
    ("Wat is voor jou lastig?", True),
    ("Wat vind je zelf van deze situatie?", True),
    ("Hoe zou je het graag anders zien?", True),
    ("Wie heb je nodig?", True),
    ("Waarom denk je dat er met diegenen geen connectie tot stand komt?", True),
    ("Wat heb je zelf ondernomen?", True),
    ("Met wie moeten we nog meer spreken?", False),
]

THEMES = [
    "AVG",
    "Wet Damocles",
    "casuïstiekbespreking",
    "professionele dilemma's",
    "werkdruk",
    "onbekendheid met ondermijning",
    "interne samenwerking",
]


def seed(apps, schema_editor):
    Question = apps.get_model("verkenning", "Question")
    Theme = apps.get_model("verkenning", "Theme")
    for position, (text, uncomfortable) in enumerate(QUESTIONS, start=1):
        Question.objects.update_or_create(
            text=text, defaults={"is_uncomfortable": uncomfortable, "position": position * 10}
        )
    for name in THEMES:
        Theme.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("verkenning", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
