"""The network picture is laid out from plain contacts, without the database or Django."""

import ast
from pathlib import Path

from verkenning import network
from verkenning.network import NetworkContact, layout


def _person(pk, name=None, referred_by=None, department="Wijkteam", status="to_approach"):
    return NetworkContact(
        pk=pk,
        name=name or f"Persoon {pk}",
        department=department,
        role="",
        status=status,
        status_label=status,
        referred_by_id=referred_by,
    )


def test_the_module_imports_nothing_from_django_or_the_apps():
    tree = ast.parse(Path(network.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"collections", "dataclasses"}


def test_an_empty_snowball_is_an_empty_picture():
    picture = layout([])
    assert picture.nodes == [] and picture.edges == [] and picture.legend == []
    assert (picture.height, picture.max_depth, picture.depth_counts) == (0, 0, [])


def test_people_are_read_depth_first_with_siblings_in_the_given_order():
    picture = layout(
        [
            _person(1, "A"),
            _person(2, "B"),
            _person(3, "A1", referred_by=1),
            _person(4, "B1", referred_by=2),
            _person(5, "A2", referred_by=1),
            _person(6, "A1a", referred_by=3),
        ]
    )
    assert [(n.name, n.depth, n.referrer_name) for n in picture.nodes] == [
        ("A", 0, ""),
        ("A1", 1, "A"),
        ("A1a", 2, "A1"),
        ("A2", 1, "A"),
        ("B", 0, ""),
        ("B1", 1, "B"),
    ]
    assert picture.depth_counts == [(0, 2), (1, 3), (2, 1)]
    assert picture.max_depth == 2


def test_a_referrer_outside_the_given_contacts_makes_a_first_contact():
    picture = layout([_person(1, referred_by=99)])
    assert picture.nodes[0].depth == 0
    assert picture.nodes[0].referrer_name == ""
    assert picture.edges == []


def test_each_layer_is_one_row_centred_in_a_picture_as_wide_as_the_widest_row():
    picture = layout([_person(1), _person(2, referred_by=1), _person(3, referred_by=1)])
    root, first, second = picture.nodes
    step = network.NODE_WIDTH + network.GAP_X
    assert picture.width == 2 * network.MARGIN + 2 * step - network.GAP_X
    assert picture.height == 2 * network.MARGIN + network.LAYER_HEIGHT + network.NODE_HEIGHT
    assert first.y == second.y == root.y + network.LAYER_HEIGHT == network.MARGIN + 100
    assert (first.x, second.x) == (network.MARGIN, network.MARGIN + step)
    assert root.cx == picture.width // 2


def test_an_edge_runs_from_the_bottom_of_the_referrer_to_the_top_of_whom_they_named():
    picture = layout([_person(1), _person(2, referred_by=1)])
    referrer, named = picture.nodes
    [edge] = picture.edges
    assert (edge.x1, edge.y1) == (referrer.cx, referrer.y + network.NODE_HEIGHT)
    assert (edge.x2, edge.y2) == (named.cx, named.y)


def test_colours_follow_the_department_alphabetically_and_the_legend_lists_each_once():
    picture = layout(
        [
            _person(1, department="wijkteam"),
            _person(2, department="Veiligheid"),
            _person(3, department="Veiligheid"),
            _person(4, department=""),
        ]
    )
    colour = {n.pk: n.colour for n in picture.nodes}
    assert picture.legend == [
        ("Veiligheid", network.PALETTE[0]),
        ("wijkteam", network.PALETTE[1]),
        ("", network.NO_DEPARTMENT_COLOUR),
    ]
    assert colour[2] == colour[3] == network.PALETTE[0]
    assert colour[4] == network.NO_DEPARTMENT_COLOUR


def test_the_palette_repeats_beyond_ten_departments():
    picture = layout([_person(pk, department=f"Afdeling {pk:02}") for pk in range(12)])
    assert picture.nodes[10].colour == network.PALETTE[0]
    assert picture.nodes[11].colour == network.PALETTE[1]


def test_a_long_name_is_shortened_with_an_ellipsis_to_fit_its_box():
    people = [_person(1, "Anna Jansen"), _person(2, "Annemarie van der Berg-Jansen")]
    short, long = layout(people).nodes
    assert short.label == "Anna Jansen"
    assert long.label == "Annemarie van der B…"
    assert len(long.label) == 20
