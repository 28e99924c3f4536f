"""The book's exercises, generated from the pages by hooks/exercises.py: do not edit.

Regenerate with ``python3 dev.py exercises``; tests/test_workbook.py fails while this file
is stale.  ``autograd_lite.workbook`` writes the workbook from it.
"""

CHAPTERS = [{'number': 1,
  'title': 'Computational graphs',
  'page': '01-computational-graphs.md',
  'exercises': [{'id': '1.1',
                 'title': 'a central difference',
                 'rating': {'Difficulty': '●○○○○',
                            'Importance': '★★★☆☆',
                            'Suggested time': '5-10 minutes'},
                 'task': 'Write `central_difference(f, x, eps)`, the central-difference estimate '
                         'of\n'
                         "$f'(x)$ for a function of one number. The check, "
                         '`check_central_difference` from\n'
                         '`autograd_lite.checks`, compares it with the exact derivative and with\n'
                         '`numerical_gradient`, then tries large steps such as `eps=0.1`, where a '
                         'central\n'
                         'difference differs from a one-sided one, and from one that ignores its '
                         '`eps`.',
                 'hints': [['Hint',
                            'The slope of the straight line through $(x - \\varepsilon, f(x - '
                            '\\varepsilon))$\n'
                            'and $(x + \\varepsilon, f(x + \\varepsilon))$: rise over run, where '
                            'the run is\n'
                            '$2\\varepsilon$.']],
                 'names': ['central_difference'],
                 'given': '',
                 'stub': 'def central_difference(f, x, eps=1e-6):\n'
                         '    """Estimate f\'(x) from f(x + eps) and f(x - eps)."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def central_difference(f, x, eps=1e-6):\n'
                             '    """Estimate f\'(x) from f(x + eps) and f(x - eps)."""\n'
                             '    return (f(x + eps) - f(x - eps)) / (2 * eps)',
                 'check_code': '',
                 'calls': ['check_central_difference(central_difference)'],
                 'module_imports': [],
                 'check_imports': [['autograd_lite.checks', 'check_central_difference', None]]},
                {'id': '1.2',
                 'title': 'two paths to `b`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '10 minutes'},
                 'task': 'Change the last node of our graph from a sum to a product: $d = ab$, $e '
                         '= b +\n'
                         'c$, $L = d \\cdot e$. Work out $\\partial L/\\partial a$, $\\partial '
                         'L/\\partial b$\n'
                         'and $\\partial L/\\partial c$ by hand and write them in `grads`. The '
                         'check\n'
                         'compares your formulas with finite differences at a few points.',
                 'hints': [['Hint 1',
                            'First the local derivatives: $\\partial L/\\partial d = e$ and '
                            '$\\partial\n'
                            'L/\\partial e = d$.'],
                           ['Hint 2',
                            '`b` has two outgoing edges, so $\\partial L/\\partial b$ has two '
                            'terms: one\n'
                            'through `d`, one through `e`.']],
                 'names': ['grads'],
                 'given': 'def product_loss(a, b, c):\n    return (a * b) * (b + c)',
                 'stub': 'def grads(a, b, c):\n'
                         '    """Return (dL/da, dL/db, dL/dc) for d = a*b, e = b+c, L = d*e."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def grads(a, b, c):\n'
                             '    """Return (dL/da, dL/db, dL/dc) for d = a*b, e = b+c, L = '
                             'd*e."""\n'
                             '    d, e = a * b, b + c\n'
                             '    return e * b, e * a + d, d',
                 'check_code': 'def check_grads(fn):\n'
                               '    """Compare fn(a, b, c) = (dL/da, dL/db, dL/dc) with '
                               'numerical_gradient."""\n'
                               '    for point in [(2.0, 3.0, 4.0), (-1.0, 0.5, 2.0), (0.3, -2.0, '
                               '1.5)]:\n'
                               '        inputs = [np.array(v) for v in point]\n'
                               '        try:\n'
                               '            by_hand = fn(*point)\n'
                               '        except NotImplementedError:\n'
                               '            raise NotImplementedError(\n'
                               '                "check_grads: grads is not implemented yet. "\n'
                               '                "Fill in its body, then run check_grads again.") '
                               'from None\n'
                               '        for i, name in enumerate("abc"):\n'
                               '            numerical = numerical_gradient(product_loss, inputs, '
                               'argnum=i)\n'
                               '            assert np.isclose(by_hand[i], numerical), (\n'
                               '                f"check_grads: at (a, b, c) = {point}, dL/d{name} '
                               'by hand is {by_hand[i]}, "\n'
                               '                f"finite differences say '
                               '{float(numerical):.6f}.")\n'
                               '    print("check_grads: all tests passed")',
                 'calls': ['check_grads(grads)'],
                 'module_imports': [],
                 'check_imports': [['numpy', None, 'np'],
                                   ['autograd_lite', 'numerical_gradient', None]]}]},
 {'number': 2,
  'title': 'Backward functions',
  'page': '02-backward-functions.md',
  'exercises': [{'id': '2.1',
                 'title': '`log_back`',
                 'rating': {'Difficulty': '●○○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '5 minutes'},
                 'task': 'Implement the backward function of `out = np.log(x)`. The learner check\n'
                         '`check_log_back` runs it on arrays of several shapes and dtypes.',
                 'hints': [['Hint 1',
                            '$\\frac{d}{dx}\\log x = \\frac{1}{x}$, and `log` is elementwise, so '
                            'the chain rule\n'
                            'is an elementwise product.'],
                           ['Hint 2',
                            'The result should have the dtype of `grad_out`: a float32 gradient '
                            'stays\n'
                            'float32. When `grad_out` and `x` are both float32, `grad_out / x` is '
                            'float32\n'
                            'too; `grad_out * (np.ones(x.shape) / x)` would not be, because '
                            '`np.ones` makes\n'
                            'float64.']],
                 'names': ['log_back'],
                 'given': '',
                 'stub': 'def log_back(grad_out, out, x):\n'
                         '    """Return dL/dx for out = np.log(x)."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def log_back(grad_out, out, x):\n'
                             '    """Return dL/dx for out = np.log(x)."""\n'
                             '    return grad_out / x',
                 'check_code': '',
                 'calls': ['check_log_back(log_back)'],
                 'module_imports': [],
                 'check_imports': [['autograd_lite.checks', 'check_log_back', None]]},
                {'id': '2.2',
                 'title': '`multiply_back0` and `multiply_back1`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★★',
                            'Suggested time': '10 minutes'},
                 'task': 'Implement both backward functions of `out = x * y`. '
                         '`check_multiply_back` tries\n'
                         'arrays of many shapes, broadcasting both ways round, and\n'
                         '`check_multiply_back_float` makes the other argument a plain Python '
                         'number.',
                 'hints': [['Hint 1',
                            'Start from the formulas: $\\partial L/\\partial x = '
                            '\\texttt{grad\\_out} \\cdot y$\n'
                            'and $\\partial L/\\partial y = \\texttt{grad\\_out} \\cdot x$.'],
                           ['Hint 2',
                            'When `x` and `y` have different shapes, `grad_out * y` has the '
                            'broadcast shape,\n'
                            'not the shape of `x`. `unbroadcast(gradient, x)` sums it back to the '
                            'shape of\n'
                            '`x` (chapter 4 explains how).']],
                 'names': ['multiply_back0', 'multiply_back1'],
                 'given': '',
                 'stub': 'def multiply_back0(grad_out, out, x, y):\n'
                         '    """Return dL/dx for out = x * y."""\n'
                         '    raise NotImplementedError\n'
                         'def multiply_back1(grad_out, out, x, y):\n'
                         '    """Return dL/dy for out = x * y."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def multiply_back0(grad_out, out, x, y):\n'
                             '    """Return dL/dx for out = x * y."""\n'
                             '    return unbroadcast(grad_out * y, x)\n'
                             'def multiply_back1(grad_out, out, x, y):\n'
                             '    """Return dL/dy for out = x * y."""\n'
                             '    return unbroadcast(grad_out * x, y)',
                 'check_code': '',
                 'calls': ['check_multiply_back(multiply_back0, multiply_back1)',
                           'check_multiply_back_float(multiply_back0, multiply_back1)'],
                 'module_imports': [['autograd_lite', 'unbroadcast', None]],
                 'check_imports': [['autograd_lite.checks', 'check_multiply_back', None],
                                   ['autograd_lite.checks', 'check_multiply_back_float', None]]}]},
 {'number': 3,
  'title': 'Broadcasting',
  'page': '03-broadcasting.md',
  'exercises': [{'id': '3.1',
                 'title': 'predict the shapes',
                 'rating': {'Difficulty': '●○○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '5-10 minutes'},
                 'task': 'For each pair below, predict the shape of the result with the two rules, '
                         'or\n'
                         'write `"invalid"`. Replace each `"?"` in `answers`, then run the check, '
                         'which\n'
                         'asks `np.broadcast_shapes`.',
                 'hints': [['Hint',
                            'Write the two shapes one above the other, aligned on the right, and '
                            'pad the\n'
                            'shorter one with 1s on the left. Then go column by column: equal, or '
                            'one of them\n'
                            'is 1, or invalid.']],
                 'names': ['answers'],
                 'given': 'pairs = [((5, 4), (4,)), ((5, 4), (5,)), ((2, 1, 3), (4, 1)),\n'
                          '         ((7,), (7, 1)), ((6, 1, 2), (1, 5, 1)), ((3, 2), (2, 3))]',
                 'stub': 'answers = ["?", "?", "?", "?", "?", "?"]',
                 'solution': 'answers = [(5, 4), "invalid", (2, 4, 3), (7, 7), (6, 5, 2), '
                             '"invalid"]',
                 'check_code': 'def check_predictions(answers):\n'
                               '    """Compare each answer with np.broadcast_shapes."""\n'
                               '    unanswered = sum(answer == "?" for answer in answers)\n'
                               '    if unanswered:\n'
                               '        raise NotImplementedError(\n'
                               '            f"check_predictions: {unanswered} answers are still '
                               '\'?\'. "\n'
                               '            "Replace each with a shape tuple or \'invalid\', then '
                               'run check_predictions again.")\n'
                               '    for (a, b), answer in zip(pairs, answers, strict=True):\n'
                               '        try:\n'
                               '            expected = np.broadcast_shapes(a, b)\n'
                               '        except ValueError:\n'
                               '            expected = "invalid"\n'
                               '        assert answer == expected, f"check_predictions: {a} and '
                               '{b}: you said {answer}, numpy says {expected}."\n'
                               '    print("check_predictions: all answers right")',
                 'calls': ['check_predictions(answers)'],
                 'module_imports': [],
                 'check_imports': [['numpy', None, 'np']]},
                {'id': '3.2',
                 'title': '`broadcast_shape`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★☆☆',
                            'Suggested time': '10-15 minutes'},
                 'task': 'Turn the two rules into code: `broadcast_shape(shape_a, shape_b)` '
                         'returns the\n'
                         'shape of the result, or raises `ValueError` when the shapes do not '
                         'broadcast.\n'
                         'The check compares it with `np.broadcast_shapes`.',
                 'hints': [['Hint 1',
                            'Rule 1 first: `(1,) * (n - len(shape)) + tuple(shape)` pads a shape '
                            'to `n`\n'
                            'dimensions.'],
                           ['Hint 2',
                            'Rule 2 with `zip` over the padded shapes. Take the *other* size when '
                            'one is 1,\n'
                            'rather than the larger of the two: numpy stretches a 1 to a 0, too.']],
                 'names': ['broadcast_shape'],
                 'given': '',
                 'stub': 'def broadcast_shape(shape_a, shape_b):\n'
                         '    """The shape of a + b for arrays of these shapes; ValueError if they '
                         'do not broadcast."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def broadcast_shape(shape_a, shape_b):\n'
                             '    """The shape of a + b for arrays of these shapes; ValueError if '
                             'they do not broadcast."""\n'
                             '    n = max(len(shape_a), len(shape_b))\n'
                             '    a = (1,) * (n - len(shape_a)) + tuple(shape_a)     # rule 1: '
                             'prepend\n'
                             '    b = (1,) * (n - len(shape_b)) + tuple(shape_b)\n'
                             '    result = []\n'
                             '    for size_a, size_b in zip(a, b):                  # rule 2: '
                             'stretch\n'
                             '        if size_a == size_b or size_b == 1:\n'
                             '            result.append(size_a)\n'
                             '        elif size_a == 1:\n'
                             '            result.append(size_b)\n'
                             '        else:\n'
                             '            raise ValueError(\n'
                             '                f"broadcast_shape: shapes {shape_a} and {shape_b} do '
                             'not broadcast: "\n'
                             '                f"sizes {size_a} and {size_b} differ and neither is '
                             '1.")\n'
                             '    return tuple(result)',
                 'check_code': 'def check_broadcast_shape(fn):\n'
                               '    """Compare fn(shape_a, shape_b) with np.broadcast_shapes on '
                               'valid and invalid pairs."""\n'
                               '    cases = [((3, 1, 5), (1, 4, 5)), ((8, 2, 6), (8, 2)), ((8, 2, '
                               '6), (2, 6)),\n'
                               '             ((10, 20, 30), (20, 1)), ((4, 1), (4,)), ((), (2, '
                               '3)), ((5,), ()),\n'
                               '             ((2, 1), (3,)), ((2, 3), (3, 2)), ((1,), (1, 1, 1)), '
                               '((1, 3), (0, 1))]\n'
                               '    for a, b in cases:\n'
                               '        try:\n'
                               '            expected = np.broadcast_shapes(a, b)\n'
                               '        except ValueError:\n'
                               '            expected = "a ValueError"\n'
                               '        try:\n'
                               '            got = fn(a, b)\n'
                               '        except NotImplementedError:\n'
                               '            raise NotImplementedError(\n'
                               '                "check_broadcast_shape: broadcast_shape is not '
                               'implemented yet. "\n'
                               '                "Fill in its body, then run check_broadcast_shape '
                               'again.") from None\n'
                               '        except ValueError:\n'
                               '            got = "a ValueError"\n'
                               '        assert got == expected, f"check_broadcast_shape: for {a} '
                               'and {b} expected {expected}, got {got!r}."\n'
                               '    print("check_broadcast_shape: all tests passed")',
                 'calls': ['check_broadcast_shape(broadcast_shape)'],
                 'module_imports': [],
                 'check_imports': [['numpy', None, 'np']]}]},
 {'number': 4,
  'title': 'Unbroadcast',
  'page': '04-unbroadcast.md',
  'exercises': [{'id': '4.1',
                 'title': 'implement `unbroadcast`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★★',
                            'Suggested time': '10-20 minutes'},
                 'task': 'Write `unbroadcast(broadcasted, original)`: sum `broadcasted` back down '
                         'to the\n'
                         'shape of `original`. `original` may be an array or a plain number, and '
                         'either\n'
                         "argument a nested Python list; keep the gradient's dtype.",
                 'hints': [['Hint 1: how many dimensions were prepended?',
                            'Either argument may be a nested list: start with `broadcasted =\n'
                            'np.asarray(broadcasted)`. `np.shape(original)` works for arrays, '
                            'lists and plain\n'
                            'numbers alike. The number of prepended dimensions is '
                            '`broadcasted.ndim -\n'
                            'len(np.shape(original))`, and they are the first ones.'],
                           ['Hint 2: the two sums',
                            '`array.sum(axis=tuple(range(n)))` sums over the first `n` dimensions '
                            '(an empty\n'
                            'tuple sums over nothing). Then loop over '
                            '`enumerate(np.shape(original))` and,\n'
                            'for each size-1 dimension, sum that axis with `keepdims=True`.']],
                 'names': ['unbroadcast'],
                 'given': '',
                 'stub': 'def unbroadcast(broadcasted, original):\n'
                         '    """Sum broadcasted back down to original\'s shape."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def unbroadcast(broadcasted, original):\n'
                             '    """Sum broadcasted back down to original\'s shape."""\n'
                             '    broadcasted = np.asarray(broadcasted)\n'
                             '    shape = np.shape(original)\n'
                             '    n_prepended = broadcasted.ndim - len(shape)\n'
                             '    # Step 1: the dimensions broadcasting prepended disappear.\n'
                             '    summed = broadcasted.sum(axis=tuple(range(n_prepended)))\n'
                             '    # Step 2: the stretched size-1 dimensions collapse back to size '
                             '1.\n'
                             '    for axis, size in enumerate(shape):\n'
                             '        if size == 1:\n'
                             '            summed = summed.sum(axis=axis, keepdims=True)\n'
                             '    return summed',
                 'check_code': '',
                 'calls': ['check_unbroadcast(unbroadcast)'],
                 'module_imports': [['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_unbroadcast', None]]}]},
 {'number': 5,
  'title': 'Topological sorting',
  'page': '05-topological-sorting.md',
  'exercises': [{'id': '5.1',
                 'title': 'implement `topological_sort`',
                 'rating': {'Difficulty': '●●●○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '20-30 minutes'},
                 'task': 'Write `topological_sort(node, get_parents)`: return every node `node` '
                         'depends\n'
                         'on, each after all of its parents, with `node` last. Raise a '
                         '`ValueError` (the\n'
                         "library's `CycleError` is one) if the graph has a cycle. A chain of "
                         '100,000\n'
                         'nodes must not hit the recursion limit.',
                 'hints': [['Hint 1: start from the recursive version',
                            "Get the chapter's `recursive_sort` working first, including the cycle "
                            'check: a\n'
                            'set `on_path` that a node joins when `visit` starts and leaves when '
                            'it returns.\n'
                            'A parent that is already in `on_path` closes a cycle.'],
                           ['Hint 2: replace the calls with a stack',
                            'A recursive call remembers two things: which node it is visiting, and '
                            'how far\n'
                            "through that node's parents it has got. Push both, as `(node,\n"
                            'iter(get_parents(node)))`. The loop looks at the top of the stack and '
                            'calls\n'
                            '`next` on its iterator (or runs a `for` loop and `break`s after '
                            'pushing one new\n'
                            'parent). When the iterator is exhausted, the node is finished.']],
                 'names': ['topological_sort'],
                 'given': '',
                 'stub': 'def topological_sort(node, get_parents):\n'
                         '    """Return the nodes node depends on, each after its parents; node '
                         'last."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def topological_sort(node, get_parents):\n'
                             '    """Return the nodes node depends on, each after its parents; '
                             'node last."""\n'
                             '    result, done, on_path = [], set(), {node}\n'
                             '    stack = [(node, iter(get_parents(node)))]\n'
                             '    while stack:\n'
                             '        current, parents = stack[-1]\n'
                             '        for parent in parents:\n'
                             '            if parent in on_path:\n'
                             '                raise ValueError(f"topological_sort: the graph has a '
                             'cycle through {parent!r}")\n'
                             '            if parent not in done:\n'
                             '                on_path.add(parent)\n'
                             '                stack.append((parent, iter(get_parents(parent))))\n'
                             '                break\n'
                             '        else:  # no unvisited parent left: current is finished\n'
                             '            stack.pop()\n'
                             '            on_path.discard(current)\n'
                             '            done.add(current)\n'
                             '            result.append(current)\n'
                             '    return result',
                 'check_code': '',
                 'calls': ['check_topological_sort(topological_sort)'],
                 'module_imports': [],
                 'check_imports': [['autograd_lite.checks', 'check_topological_sort', None]]}]},
 {'number': 6,
  'title': 'Backprop by hand',
  'page': '06-backprop-by-hand.md',
  'exercises': [{'id': '6.1',
                 'title': '`forward_and_back`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★★',
                            'Suggested time': '15-20 minutes'},
                 'task': 'Write `forward_and_back(a, b, c)`: compute $g = \\log(a \\cdot b \\cdot '
                         '\\log c)$ in\n'
                         'the four steps of this chapter, then return `(dg_da, dg_db, dg_dc)`, '
                         'starting\n'
                         'from a `grad_out` of ones. Use `log_back`, `multiply_back0` and\n'
                         '`multiply_back1`. Try it without scrolling up; the check runs it on '
                         'inputs of\n'
                         'several shapes and dtypes, broadcasting included (float32 inputs give '
                         'float32\n'
                         'gradients).',
                 'hints': [['Hint 1: the order',
                            'Forward: `d`, `e`, `f`, `g`. Backward: `g`, then `f`, then `d` and '
                            '`e` (either\n'
                            "order), each node's backward functions called once."],
                           ['Hint 2: the arguments',
                            'Every backward function takes `(grad_out, out, *inputs)`: the '
                            'gradient arriving\n'
                            "at the node, the node's value, and the values it was computed from. "
                            'For `f = d *\n'
                            'e` that is `multiply_back0(dg_df, f, d, e)` for `d`.']],
                 'names': ['forward_and_back'],
                 'given': '',
                 'stub': 'def forward_and_back(a, b, c):\n'
                         '    """Return (dg/da, dg/db, dg/dc) for g = log(log(c) * a * b)."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def forward_and_back(a, b, c):\n'
                             '    """Return (dg/da, dg/db, dg/dc) for g = log(log(c) * a * b)."""\n'
                             '    d = a * b\n'
                             '    e = np.log(c)\n'
                             '    f = d * e\n'
                             '    g = np.log(f)\n'
                             '    dg_df = log_back(np.ones_like(g), g, f)\n'
                             '    dg_dd = multiply_back0(dg_df, f, d, e)\n'
                             '    dg_de = multiply_back1(dg_df, f, d, e)\n'
                             '    dg_da = multiply_back0(dg_dd, d, a, b)\n'
                             '    dg_db = multiply_back1(dg_dd, d, a, b)\n'
                             '    dg_dc = log_back(dg_de, e, c)\n'
                             '    return dg_da, dg_db, dg_dc',
                 'check_code': '',
                 'calls': ['check_forward_and_back(forward_and_back)'],
                 'module_imports': [['autograd_lite', 'log_back', None],
                                    ['autograd_lite', 'multiply_back0', None],
                                    ['autograd_lite', 'multiply_back1', None],
                                    ['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_forward_and_back', None]]}]},
 {'number': 7,
  'title': 'Autograd',
  'page': '07-autograd.md',
  'exercises': [{'id': '7.1',
                 'title': '`sorted_computational_graph`',
                 'rating': {'Difficulty': '●○○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '5-10 minutes'},
                 'task': 'Write `sorted_computational_graph(tensor)`: every Tensor that `tensor` '
                         'depends\n'
                         'on through recipes, each once, `tensor` first and every Tensor before '
                         'its\n'
                         'parents. Use `topological_sort`. The check '
                         '`check_sorted_computational_graph`\n'
                         'runs it on eleven graphs, eight fixed ones (among them a shared '
                         'subexpression, a\n'
                         'constant leaf and a chain of 3,000 operations) and three random ones.',
                 'hints': [['Hint',
                            '`topological_sort(node, get_parents)` wants a function from a node to '
                            'its\n'
                            'parents, the nodes it was computed from; for a Tensor, those are\n'
                            '`tensor.recipe.parents.values()`, and a leaf has none. It returns the '
                            'root last.']],
                 'names': ['sorted_computational_graph'],
                 'given': '',
                 'stub': 'def sorted_computational_graph(tensor):\n'
                         '    """Every Tensor `tensor` depends on: `tensor` first, parents '
                         'later."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def sorted_computational_graph(tensor):\n'
                             '    """Every Tensor `tensor` depends on: `tensor` first, parents '
                             'later."""\n'
                             '    def get_parents(t):\n'
                             '        if t.recipe is None:\n'
                             '            return []\n'
                             '        parents = t.recipe.parents.values()\n'
                             '        return [parent for parent in parents if '
                             'parent.requires_grad]\n'
                             '    return topological_sort(tensor, get_parents)[::-1]',
                 'check_code': '',
                 'calls': ['check_sorted_computational_graph(sorted_computational_graph)'],
                 'module_imports': [['autograd_lite', 'topological_sort', None]],
                 'check_imports': [['autograd_lite.checks',
                                    'check_sorted_computational_graph',
                                    None]]},
                {'id': '7.2',
                 'title': '`backprop`',
                 'rating': {'Difficulty': '●●●○○',
                            'Importance': '★★★★★',
                            'Suggested time': '20-30 minutes'},
                 'task': 'Write `backprop(end_node, end_grad=None)`: add $\\partial\n'
                         'L/\\partial\\,\\text{leaf}$ to the `.grad` of every leaf that requires '
                         'grad (a\n'
                         'Tensor; `None` counts as zero), where `end_grad` is $\\partial\n'
                         'L/\\partial\\,\\texttt{end\\_node}$ and defaults to ones. Other Tensors '
                         'must keep\n'
                         '`.grad` `None`. Try it without scrolling up. `check_backprop` compares '
                         'your\n'
                         "leaves' gradients with the library's on thirteen graphs (three of them "
                         'random),\n'
                         'in one of which the leaves already hold a gradient.',
                 'hints': [['Hint 1: the order',
                            'Walk `sorted_computational_graph(end_node)`. When you reach a node, '
                            'every\n'
                            'gradient flowing into it has arrived, so it can be passed on.'],
                           ['Hint 2: where the gradients live',
                            'Keep them in a dict from Tensor to array (Tensors are dict keys by '
                            'identity).\n'
                            'For each parent that requires grad, `BACK_FUNCS[recipe.func, argnum]` '
                            'is its\n'
                            'backward function, called as `back_fn(grad_out, node.array, '
                            '*recipe.args,\n'
                            '**recipe.kwargs)`. Add, never overwrite.']],
                 'names': ['backprop'],
                 'given': '',
                 'stub': 'def backprop(end_node, end_grad=None):\n'
                         '    """Add dL/d(leaf) to leaf.grad for each leaf that requires grad."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def backprop(end_node, end_grad=None):\n'
                             '    """Add dL/d(leaf) to leaf.grad for each leaf that requires '
                             'grad."""\n'
                             '    if end_grad is None:\n'
                             '        end_grad = np.ones_like(end_node.array)\n'
                             '    grads = {end_node: np.asarray(end_grad)}\n'
                             '    for node in sorted_computational_graph(end_node):\n'
                             '        grad_out = grads.pop(node)\n'
                             '        if node.recipe is None:\n'
                             '            if node.grad is not None:\n'
                             '                grad_out = node.grad.array + grad_out\n'
                             '            node.grad = Tensor(grad_out)\n'
                             '            continue\n'
                             '        recipe = node.recipe\n'
                             '        for argnum, parent in recipe.parents.items():\n'
                             '            if parent.requires_grad:\n'
                             '                back_fn = BACK_FUNCS[recipe.func, argnum]\n'
                             '                grad = back_fn(grad_out, node.array,\n'
                             '                               *recipe.args, **recipe.kwargs)\n'
                             '                grads[parent] = grads.get(parent, 0) + grad',
                 'check_code': '',
                 'calls': ['check_backprop(backprop)'],
                 'module_imports': [['autograd_lite', 'BACK_FUNCS', None],
                                    ['autograd_lite', 'Tensor', None],
                                    ['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_backprop', None]]}]},
 {'number': 8,
  'title': 'More forward and backward functions',
  'page': '08-more-functions.md',
  'exercises': [{'id': '8.1',
                 'title': '`sum_back`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★★',
                            'Suggested time': '10-15 minutes'},
                 'task': 'Write the backward function of `out = x.sum(axis=dim, '
                         'keepdims=keepdim)`.\n'
                         '`check_sum_back` tries `dim=None`, a single dimension (negative too) and '
                         'tuples,\n'
                         'with and without `keepdim`, in float64 and float32.',
                 'hints': [['Hint 1',
                            'Every element of `x` gets the gradient of the sum it went into: '
                            'broadcast\n'
                            '`grad_out` to `x.shape`.'],
                           ['Hint 2',
                            'Broadcasting lines shapes up from the right. When `keepdim` is False '
                            'and `dim`\n'
                            'is not None, put the summed dimensions back first with '
                            '`np.expand_dims(grad_out,\n'
                            'dim)`, which accepts a tuple.']],
                 'names': ['sum_back'],
                 'given': '',
                 'stub': 'def sum_back(grad_out, out, x, dim=None, keepdim=False):\n'
                         '    """Return dL/dx for out = x.sum(axis=dim, keepdims=keepdim)."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def sum_back(grad_out, out, x, dim=None, keepdim=False):\n'
                             '    """Return dL/dx for out = x.sum(axis=dim, keepdims=keepdim)."""\n'
                             '    if dim is not None and not keepdim:\n'
                             '        grad_out = np.expand_dims(grad_out, dim)\n'
                             '    return np.broadcast_to(grad_out, x.shape)',
                 'check_code': '',
                 'calls': ['check_sum_back(sum_back)'],
                 'module_imports': [['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_sum_back', None]]},
                {'id': '8.2',
                 'title': '`permute_back`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★☆☆',
                            'Suggested time': '10 minutes'},
                 'task': 'Write the backward function of `out = np.transpose(x, axes)`, which\n'
                         '`t.permute(*axes)` records. `check_permute_back` includes negative axes, '
                         'four\n'
                         'dimensions and float32.',
                 'hints': [['Hint',
                            'Dimension `axes[i]` of `x` became dimension `i` of `out`. Which '
                            'permutation\n'
                            'sends it back? `np.argsort` of a permutation is its inverse; make '
                            'negative axes\n'
                            'positive first (`axis % x.ndim`).']],
                 'names': ['permute_back'],
                 'given': '',
                 'stub': 'def permute_back(grad_out, out, x, axes):\n'
                         '    """Return dL/dx for out = np.transpose(x, axes)."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def permute_back(grad_out, out, x, axes):\n'
                             '    """Return dL/dx for out = np.transpose(x, axes)."""\n'
                             '    positive = [axis % x.ndim for axis in axes]\n'
                             '    return np.transpose(grad_out, np.argsort(positive))',
                 'check_code': '',
                 'calls': ['check_permute_back(permute_back)'],
                 'module_imports': [['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_permute_back', None]]},
                {'id': '8.3',
                 'title': '`maximum_back0`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★☆☆',
                            'Suggested time': '10 minutes'},
                 'task': 'Write the backward function of `out = np.maximum(x, y)` for `x`: '
                         '`grad_out`\n'
                         'where `x` won, half of it where they tie, 0 where `y` won, summed back '
                         "to `x`'s\n"
                         "shape. (NaN inputs are left out here: the library's `maximum_back0` "
                         'follows the\n'
                         'NaN rule above, which the check does not ask of yours.) '
                         '`check_maximum_back0`\n'
                         'includes ties, broadcasting both ways, `y` a Python number, and float32.',
                 'hints': [['Hint',
                            '`(x > y)` and `(x == y)` are boolean arrays of the broadcast shape; '
                            'multiplied\n'
                            'by a float array they act as 1 and 0. Finish with `unbroadcast(..., '
                            'x)`. Mind\n'
                            'the order for float32: `0.5 * (x == y)` on its own is a float64 array '
                            '(a Python\n'
                            "float times a boolean array gives numpy's default float), and "
                            'multiplying\n'
                            'float32 `grad_out` by it gives float64. Multiply `grad_out` first, '
                            '`grad_out *\n'
                            '0.5 * (x == y)`: `grad_out * 0.5` stays float32, and so does its '
                            'product with a\n'
                            'boolean array.']],
                 'names': ['maximum_back0'],
                 'given': '',
                 'stub': 'def maximum_back0(grad_out, out, x, y):\n'
                         '    """Return dL/dx for out = np.maximum(x, y)."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def maximum_back0(grad_out, out, x, y):\n'
                             '    """Return dL/dx for out = np.maximum(x, y)."""\n'
                             '    share = grad_out * (x > y) + grad_out * 0.5 * (x == y)\n'
                             '    return unbroadcast(share, x)',
                 'check_code': '',
                 'calls': ['check_maximum_back0(maximum_back0)'],
                 'module_imports': [['autograd_lite', 'unbroadcast', None]],
                 'check_imports': [['autograd_lite.checks', 'check_maximum_back0', None]]},
                {'id': '8.4',
                 'title': 'the backward functions of `add`',
                 'rating': {'Difficulty': '●○○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '5 minutes'},
                 'task': 'Exercises 8.4 to 8.7 are the operations every layer of a network runs: a '
                         'bias\n'
                         'added to a batch, a difference, a division, a matrix product. Write '
                         '`add_back0`\n'
                         'and `add_back1`, the backward functions of `out = x + y` for `x` and for '
                         '`y`.\n'
                         'The arguments broadcast, as a bias of shape `(3,)` does when it is added '
                         'to a\n'
                         'batch of shape `(2, 3)`, and either one can be a Python number (then the '
                         'engine\n'
                         'never asks for its gradient). `check_add_back` broadcasts both ways '
                         'round, and\n'
                         'both at once.',
                 'hints': [['Hint',
                            '$\\partial\\,\\text{out}/\\partial x = 1$, so each element of `out` '
                            'passes its\n'
                            '`grad_out` on unchanged. An element of `x` that broadcasting copied '
                            'into several\n'
                            "elements of `out` collects all their gradients: chapter 4's\n"
                            '`unbroadcast(grad_out, x)` sums them.']],
                 'names': ['add_back0', 'add_back1'],
                 'given': '',
                 'stub': 'def add_back0(grad_out, out, x, y):\n'
                         '    """Return dL/dx for out = x + y."""\n'
                         '    raise NotImplementedError\n'
                         'def add_back1(grad_out, out, x, y):\n'
                         '    """Return dL/dy for out = x + y."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def add_back0(grad_out, out, x, y):\n'
                             '    """Return dL/dx for out = x + y."""\n'
                             '    return unbroadcast(grad_out, x)\n'
                             'def add_back1(grad_out, out, x, y):\n'
                             '    """Return dL/dy for out = x + y."""\n'
                             '    return unbroadcast(grad_out, y)',
                 'check_code': '',
                 'calls': ['check_add_back(add_back0, add_back1)'],
                 'module_imports': [['autograd_lite', 'unbroadcast', None]],
                 'check_imports': [['autograd_lite.checks', 'check_add_back', None]]},
                {'id': '8.5',
                 'title': 'the backward functions of `subtract`',
                 'rating': {'Difficulty': '●○○○○',
                            'Importance': '★★★☆☆',
                            'Suggested time': '5 minutes'},
                 'task': 'Write `subtract_back0` and `subtract_back1`, the backward functions of '
                         '`out = x\n'
                         '- y`. `check_subtract_back` uses the cases of `check_add_back`, and '
                         'fails a\n'
                         'function that changes `grad_out` in place.',
                 'hints': [['Hint',
                            'Only one of the two derivatives is negative: '
                            '$\\partial\\,\\text{out}/\\partial y =\n'
                            '-1$. Negate with `-grad_out`, which makes a new array; `grad_out *= '
                            '-1` would\n'
                            "change the array the engine also hands to `x`'s backward function."]],
                 'names': ['subtract_back0', 'subtract_back1'],
                 'given': '',
                 'stub': 'def subtract_back0(grad_out, out, x, y):\n'
                         '    """Return dL/dx for out = x - y."""\n'
                         '    raise NotImplementedError\n'
                         'def subtract_back1(grad_out, out, x, y):\n'
                         '    """Return dL/dy for out = x - y."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def subtract_back0(grad_out, out, x, y):\n'
                             '    """Return dL/dx for out = x - y."""\n'
                             '    return unbroadcast(grad_out, x)  # as for add: d(out)/dx = 1\n'
                             'def subtract_back1(grad_out, out, x, y):\n'
                             '    """Return dL/dy for out = x - y."""\n'
                             '    return unbroadcast(-grad_out, y)',
                 'check_code': '',
                 'calls': ['check_subtract_back(subtract_back0, subtract_back1)'],
                 'module_imports': [['autograd_lite', 'unbroadcast', None]],
                 'check_imports': [['autograd_lite.checks', 'check_subtract_back', None]]},
                {'id': '8.6',
                 'title': 'the backward functions of `true_divide`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '10 minutes'},
                 'task': 'Write `true_divide_back0` and `true_divide_back1`, the backward '
                         'functions of\n'
                         '`out = x / y`. `check_true_divide_back` broadcasts both ways round, '
                         'passes `x`\n'
                         "as a Python number (`2 / t` asks `true_divide_back1` for `t`'s "
                         'gradient), and\n'
                         'includes float32.',
                 'hints': [['Hint 1',
                            'Write $x / y$ as $x \\cdot y^{-1}$. The derivative for $x$ is '
                            '$y^{-1}$; the\n'
                            'derivative of $y^{-1}$ is $-y^{-2}$, so the one for $y$ is $-x / '
                            'y^2$. Division\n'
                            'is not symmetric: the two functions are not mirror images.'],
                           ['Hint 2',
                            '$-x / y^2 = -\\text{out} / y$: the forward value saves computing a '
                            'square.\n'
                            'Multiply by `grad_out` first, then `unbroadcast`, and write `grad_out '
                            '/ y`\n'
                            'rather than `grad_out /= y`.']],
                 'names': ['true_divide_back0', 'true_divide_back1'],
                 'given': '',
                 'stub': 'def true_divide_back0(grad_out, out, x, y):\n'
                         '    """Return dL/dx for out = x / y."""\n'
                         '    raise NotImplementedError\n'
                         'def true_divide_back1(grad_out, out, x, y):\n'
                         '    """Return dL/dy for out = x / y."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def true_divide_back0(grad_out, out, x, y):\n'
                             '    """Return dL/dx for out = x / y."""\n'
                             '    return unbroadcast(grad_out / y, x)\n'
                             'def true_divide_back1(grad_out, out, x, y):\n'
                             '    """Return dL/dy for out = x / y."""\n'
                             '    return unbroadcast(-grad_out * out / y, y)',
                 'check_code': '',
                 'calls': ['check_true_divide_back(true_divide_back0, true_divide_back1)'],
                 'module_imports': [['autograd_lite', 'unbroadcast', None]],
                 'check_imports': [['autograd_lite.checks', 'check_true_divide_back', None]]},
                {'id': '8.7',
                 'title': '`matmul_back0` and `matmul_back1`',
                 'rating': {'Difficulty': '●●●●○',
                            'Importance': '★★★★★',
                            'Suggested time': '25-30 minutes'},
                 'task': 'Write the backward functions of `out = x @ y` (`np.matmul`) for `x` and '
                         'for `y`,\n'
                         'as Matrix products derives them, for everything `np.matmul` accepts: '
                         'matrices, a\n'
                         '1-D operand on either side or both, and batches whose batch dimensions\n'
                         'broadcast. `check_matmul_back` includes square matrices (where a '
                         'transpose in\n'
                         'the wrong place still has the right shape), a weight shared by a batch, '
                         'batch\n'
                         'dimensions `(2, 1)` against `(5,)`, and float32.',
                 'hints': [['Hint 1',
                            'Start with matrices: $G B^\\top$ for `x` and $A^\\top G$ for `y`. '
                            'Write each shape\n'
                            'under the formula to see which side the transpose goes on. For a '
                            'batch,\n'
                            'transpose only the last two dimensions with `np.swapaxes(a, -1, -2)`: '
                            '`a.T`\n'
                            'reverses every axis of a 3-D array.'],
                           ['Hint 2',
                            'Batched, `grad_out @ np.swapaxes(y, -1, -2)` is one gradient per '
                            'matrix of the\n'
                            'batch. Where `x` was shared by the batch (a weight of shape `(k, m)` '
                            'against\n'
                            'inputs of shape `(5, n, k)`), `x` received all of them: '
                            '`unbroadcast(..., x)`\n'
                            'sums the batch dimensions away, as it sums any broadcast dimension.'],
                           ['Hint 3',
                            '`np.matmul` treats a 1-D `x` of shape `(k,)` as a row `(1, k)` and a '
                            '1-D `y` as\n'
                            'a column `(k, 1)`, then drops that dimension from `out`. Do the same: '
                            'make the\n'
                            '1-D operands 2-D, put the dropped dimension back into `grad_out` '
                            'with\n'
                            '`np.expand_dims` (at `-1` for `y`, at `-2` for `x`), apply the '
                            'formula, and\n'
                            "`reshape` the result to the operand's own shape."]],
                 'names': ['matmul_back0', 'matmul_back1'],
                 'given': '',
                 'stub': 'def matmul_back0(grad_out, out, x, y):\n'
                         '    """Return dL/dx for out = x @ y."""\n'
                         '    raise NotImplementedError\n'
                         'def matmul_back1(grad_out, out, x, y):\n'
                         '    """Return dL/dy for out = x @ y."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def matmul_back0(grad_out, out, x, y):\n'
                             '    """Return dL/dx for out = x @ y."""\n'
                             '    x2 = x[None, :] if x.ndim == 1 else x  # a 1-D x is a row (1, '
                             'k)\n'
                             '    y2 = y[:, None] if y.ndim == 1 else y  # a 1-D y is a column (k, '
                             '1)\n'
                             '    if y.ndim == 1:\n'
                             '        grad_out = np.expand_dims(grad_out, -1)\n'
                             '    if x.ndim == 1:\n'
                             '        grad_out = np.expand_dims(grad_out, -2)\n'
                             '    grad = unbroadcast(grad_out @ np.swapaxes(y2, -1, -2), x2)\n'
                             '    return grad.reshape(x.shape)\n'
                             'def matmul_back1(grad_out, out, x, y):\n'
                             '    """Return dL/dy for out = x @ y."""\n'
                             '    x2 = x[None, :] if x.ndim == 1 else x\n'
                             '    y2 = y[:, None] if y.ndim == 1 else y\n'
                             '    if y.ndim == 1:\n'
                             '        grad_out = np.expand_dims(grad_out, -1)\n'
                             '    if x.ndim == 1:\n'
                             '        grad_out = np.expand_dims(grad_out, -2)\n'
                             '    grad = unbroadcast(np.swapaxes(x2, -1, -2) @ grad_out, y2)\n'
                             '    return grad.reshape(y.shape)',
                 'check_code': '',
                 'calls': ['check_matmul_back(matmul_back0, matmul_back1)'],
                 'module_imports': [['numpy', None, 'np'], ['autograd_lite', 'unbroadcast', None]],
                 'check_imports': [['autograd_lite.checks', 'check_matmul_back', None]]}]},
 {'number': 9,
  'title': 'Pitfalls',
  'page': '09-pitfalls.md',
  'exercises': [{'id': '9.1',
                 'title': '`indexing_back`',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '10 minutes'},
                 'task': 'Write the backward function of `out = x[index]`, where `index` may be '
                         'an\n'
                         'integer, a slice, an integer array with repeats, a tuple of arrays, or a '
                         'boolean\n'
                         'mask. `check_indexing_back` tries each, in float64 and float32.',
                 'hints': [['Hint 1',
                            "Start from zeros of `x`'s shape, in `grad_out`'s dtype, and put each "
                            'element of\n'
                            '`grad_out` where it was picked from.'],
                           ['Hint 2',
                            "Try `grad[index] += grad_out` first and read the check's message: it "
                            'shows the\n'
                            'case where it goes wrong. Then use the unbuffered `np.add.at(grad, '
                            'index,\n'
                            'grad_out)`.']],
                 'names': ['indexing_back'],
                 'given': '',
                 'stub': 'def indexing_back(grad_out, out, x, index):\n'
                         '    """Return dL/dx for out = x[index]."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def indexing_back(grad_out, out, x, index):\n'
                             '    """Return dL/dx for out = x[index]."""\n'
                             '    grad = np.zeros(x.shape, dtype=grad_out.dtype)\n'
                             '    np.add.at(grad, index, grad_out)\n'
                             '    return grad',
                 'check_code': '',
                 'calls': ['check_indexing_back(indexing_back)'],
                 'module_imports': [['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_indexing_back', None]]}]},
 {'number': 10,
  'title': 'Training a neural network',
  'page': '10-neural-network.ipynb',
  'exercises': [{'id': '10.1',
                 'title': 'a Linear layer',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '10-15 minutes'},
                 'task': 'Write `Linear(in_features, out_features, bias=True, rng=None)` as a '
                         '`Module`: a\n'
                         '`weight` `Parameter` of shape `(out_features, in_features)`, a `bias`\n'
                         '`Parameter` of shape `(out_features,)` (or `None` when `bias=False`), '
                         'both drawn\n'
                         'from `rng` (a `Generator`, an int seed or `None`) uniformly in\n'
                         '$[-1/\\sqrt{\\text{in}},\\ 1/\\sqrt{\\text{in}}]$, the sizes kept as\n'
                         '`self.in_features` and `self.out_features` (as in PyTorch), and a '
                         '`forward(x)`\n'
                         'returning $x W^\\top + b$.',
                 'hints': [['Hint 1',
                            '`rng = np.random.default_rng(rng)` accepts a seed, a `Generator` or '
                            '`None`; then\n'
                            '`rng.uniform(-bound, bound, size=shape)` draws the values. Wrap them '
                            'in\n'
                            '`Parameter(...)` and assign them to `self.weight` and `self.bias`, '
                            'weight first,\n'
                            'so the `Module` registers both in that order.'],
                           ['Hint 2',
                            'In `forward`, `x @ self.weight.T` has shape `(N, out_features)`; '
                            'adding\n'
                            '`self.bias` (shape `(out_features,)`) broadcasts it over the batch, '
                            'and the\n'
                            "engine's `unbroadcast` sums its gradient over the batch for you."]],
                 'names': ['Linear'],
                 'given': '',
                 'stub': 'class Linear(Module):\n'
                         '    def __init__(self, in_features, out_features, bias=True, rng=None):\n'
                         '        super().__init__()\n'
                         '        raise NotImplementedError  # set self.weight and self.bias\n'
                         '\n'
                         '    def forward(self, x):\n'
                         '        raise NotImplementedError',
                 'solution': 'class Linear(Module):\n'
                             '    def __init__(self, in_features, out_features, bias=True, '
                             'rng=None):\n'
                             '        super().__init__()\n'
                             '        rng = np.random.default_rng(rng)\n'
                             '        bound = 1 / np.sqrt(in_features)\n'
                             '        self.in_features, self.out_features = in_features, '
                             'out_features\n'
                             '        weight = rng.uniform(-bound, bound, size=(out_features, '
                             'in_features))\n'
                             '        self.weight = Parameter(weight)\n'
                             '        if bias:\n'
                             '            self.bias = Parameter(rng.uniform(-bound, bound, '
                             'size=out_features))\n'
                             '        else:\n'
                             '            self.bias = None\n'
                             '\n'
                             '    def forward(self, x):\n'
                             '        out = x @ self.weight.T\n'
                             '        return out if self.bias is None else out + self.bias',
                 'check_code': '',
                 'calls': ['check_linear(Linear)'],
                 'module_imports': [['autograd_lite.nn', 'Module', None],
                                    ['autograd_lite.nn', 'Parameter', None],
                                    ['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_linear', None]]},
                {'id': '10.2',
                 'title': 'cross-entropy, stably',
                 'rating': {'Difficulty': '●●●○○',
                            'Importance': '★★★★★',
                            'Suggested time': '15-20 minutes'},
                 'task': 'Write `cross_entropy(logits, targets)`: `logits` is a `Tensor` of shape '
                         '`(N,\n'
                         'C)`, `targets` an integer array of shape `(N,)`; return the mean over '
                         'the batch\n'
                         'of $-\\log \\mathrm{softmax}(x_n)_{t_n}$ as a one-element `Tensor`, '
                         'built from\n'
                         'Tensor operations so that `backward()` reaches the logits. The check '
                         'includes\n'
                         "logits such as `[1000, 0, 0, 0]` and runs with numpy's overflow errors "
                         'turned\n'
                         'on.',
                 'hints': [['Hint 1',
                            'Compute `log_probs` $= (x - m) - \\log \\sum_j e^{x_j - m}$ row by '
                            'row, with `m =\n'
                            'logits.array.max(axis=1, keepdims=True)` (a plain array: a constant '
                            'for the\n'
                            'gradient), `.exp()`, `.sum(dim=1, keepdim=True)` and `.log()`.'],
                           ['Hint 2',
                            "`log_probs[np.arange(N), targets]` picks each row's target entry (an\n"
                            'integer-array index, which the engine differentiates); the loss is '
                            'minus their\n'
                            '`.mean()`.']],
                 'names': ['cross_entropy'],
                 'given': '',
                 'stub': 'def cross_entropy(logits, targets):\n    raise NotImplementedError',
                 'solution': 'def cross_entropy(logits, targets):\n'
                             '    shifted = logits - logits.array.max(axis=1, keepdims=True)\n'
                             '    log_probs = shifted - shifted.exp().sum(dim=1, '
                             'keepdim=True).log()\n'
                             '    return -log_probs[np.arange(len(targets)), targets].mean()',
                 'check_code': '',
                 'calls': ['check_cross_entropy(cross_entropy)'],
                 'module_imports': [['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_cross_entropy', None]]},
                {'id': '10.3',
                 'title': 'SGD with momentum and weight decay',
                 'rating': {'Difficulty': '●●●○○',
                            'Importance': '★★★★☆',
                            'Suggested time': '15-20 minutes'},
                 'task': "Write `step()` for an `SGD` optimiser with PyTorch's equations. Each "
                         'parameter\n'
                         '$p$ whose `.grad` is not `None` moves against $g$, its gradient plus '
                         'weight\n'
                         'decay $\\lambda p$; with momentum $\\mu$ it moves against a running '
                         'buffer $b$ of\n'
                         'those, kept per parameter, instead:\n'
                         '\n'
                         '$$\n'
                         '\\begin{aligned}\n'
                         'g &= \\frac{\\partial L}{\\partial p} + \\lambda p, \\\\\n'
                         "b &= g \\ \\text{ at the parameter's first step}, \\qquad b = \\mu b + g "
                         '\\ \\text{ after}, \\\\\n'
                         'p &\\leftarrow p - \\eta\\, b \\qquad (p \\leftarrow p - \\eta\\, g \\ '
                         '\\text{ when } \\mu = 0).\n'
                         '\\end{aligned}\n'
                         '$$\n'
                         '\n'
                         'Change each parameter in place, under `no_grad()`.',
                 'hints': [['Hint 1',
                            'Loop over `self.params`, `continue` when `p.grad is None`, and work '
                            'with the\n'
                            'arrays: `g = p.grad.array + self.weight_decay * p.array`. Keep the '
                            'buffer in\n'
                            '`self.state[p]`, a dict per parameter that survives between steps.'],
                           ['Hint 2',
                            '`p -= self.lr * g` inside `with no_grad():` changes the parameter the '
                            'model\n'
                            'holds, and the engine adds 1 to `p.version`. `p = p - self.lr * g` '
                            'would only\n'
                            "rebind the loop's local name, and assigning `p.array` would hide the "
                            'change from\n'
                            "the engine's in-place check."]],
                 'names': ['SGD'],
                 'given': '',
                 'stub': 'class SGD(Optimizer):\n'
                         '    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):\n'
                         '        super().__init__(params)          # self.params, self.state = '
                         '{}\n'
                         '        self.lr, self.momentum, self.weight_decay = lr, momentum, '
                         'weight_decay\n'
                         '\n'
                         '    def step(self):\n'
                         '        raise NotImplementedError',
                 'solution': 'class SGD(Optimizer):\n'
                             '    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):\n'
                             '        super().__init__(params)\n'
                             '        self.lr, self.momentum, self.weight_decay = lr, momentum, '
                             'weight_decay\n'
                             '\n'
                             '    def step(self):\n'
                             '        with no_grad():\n'
                             '            for p in self.params:\n'
                             '                if p.grad is None:\n'
                             '                    continue\n'
                             '                g = p.grad.array + self.weight_decay * p.array\n'
                             '                if self.momentum:\n'
                             '                    state = self.state.setdefault(p, {})\n'
                             '                    if "momentum_buffer" in state:\n'
                             '                        g = self.momentum * state["momentum_buffer"] '
                             '+ g\n'
                             '                    state["momentum_buffer"] = g\n'
                             '                p -= self.lr * g',
                 'check_code': '',
                 'calls': ['check_sgd_step(SGD)'],
                 'module_imports': [['autograd_lite.optim', 'Optimizer', None],
                                    ['autograd_lite', 'no_grad', None]],
                 'check_imports': [['autograd_lite.checks', 'check_sgd_step', None]]}]},
 {'number': 11,
  'title': 'Forward mode and reverse mode',
  'page': '11-forward-and-reverse-mode.md',
  'exercises': [{'id': '11.1',
                 'title': 'three tangent rules',
                 'rating': {'Difficulty': '●●○○○',
                            'Importance': '★★★☆☆',
                            'Suggested time': '15 minutes'},
                 'task': 'Write the tangent rules of `out = x * y`, `out = x @ y` and `out =\n'
                         'x.sum(axis=dim, keepdims=keepdim)`. Each returns the tangent of `out`.\n'
                         '`check_tangent_rules` tries broadcasting both ways, square, 1-D and '
                         'batched\n'
                         'matrix products, and sums over every kind of `dim`, plus random cases.',
                 'hints': [['Hint 1',
                            'Move one input at a time and add up: for $z = \\text{out}$, $\\dot z '
                            '=\n'
                            '\\frac{\\partial z}{\\partial x}\\dot x + \\frac{\\partial '
                            'z}{\\partial y}\\dot y$. For\n'
                            'a product both terms are there, the product rule.'],
                           ['Hint 2',
                            'A matrix product is linear in each argument, so its tangent is a sum '
                            'of two\n'
                            'products in the same order, $\\dot x\\, y + x\\, \\dot y$: no '
                            'transpose (transposes\n'
                            'are for sending gradients back). A sum is linear too: sum the tangent '
                            'exactly as\n'
                            '`x` was summed, same `dim`, same `keepdim`.']],
                 'names': ['multiply_tangent', 'matmul_tangent', 'sum_tangent'],
                 'given': '',
                 'stub': 'def multiply_tangent(dx, dy, out, x, y):\n'
                         '    """Return the tangent of out = x * y."""\n'
                         '    raise NotImplementedError\n'
                         'def matmul_tangent(dx, dy, out, x, y):\n'
                         '    """Return the tangent of out = x @ y."""\n'
                         '    raise NotImplementedError\n'
                         'def sum_tangent(dx, out, x, dim=None, keepdim=False):\n'
                         '    """Return the tangent of out = x.sum(axis=dim, '
                         'keepdims=keepdim)."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def multiply_tangent(dx, dy, out, x, y):\n'
                             '    """Return the tangent of out = x * y."""\n'
                             '    return dx * y + x * dy\n'
                             'def matmul_tangent(dx, dy, out, x, y):\n'
                             '    """Return the tangent of out = x @ y."""\n'
                             '    return dx @ y + x @ dy\n'
                             'def sum_tangent(dx, out, x, dim=None, keepdim=False):\n'
                             '    """Return the tangent of out = x.sum(axis=dim, '
                             'keepdims=keepdim)."""\n'
                             '    return np.sum(dx, axis=dim, keepdims=keepdim)',
                 'check_code': '',
                 'calls': ['check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent)'],
                 'module_imports': [['numpy', None, 'np']],
                 'check_imports': [['autograd_lite.checks', 'check_tangent_rules', None]]}]},
 {'number': 12,
  'title': 'What backprop keeps in memory',
  'page': '12-memory.md',
  'exercises': [{'id': '12.1',
                 'title': '`checkpoint` for one input',
                 'rating': {'Difficulty': '●●●○○',
                            'Importance': '★★★☆☆',
                            'Suggested time': '20 minutes'},
                 'task': 'Write `checkpoint(fn, x)`: it returns a Tensor with the value of `fn(x)` '
                         'whose\n'
                         'graph keeps only `x`, and whose backward function runs `fn` again. Build '
                         'it as\n'
                         'the library does: a numpy-level forward function wrapped with '
                         '`wrap_forward_fn`,\n'
                         'and a backward function registered for it with `add_back_func`.\n'
                         '`check_checkpoint` checks the value, that the graph holds nothing from '
                         'inside\n'
                         'the block, the memory held on a 50-step chain, that the backward pass '
                         'runs the\n'
                         'block again, and the gradients of `x` and of a weight the block uses '
                         'from\n'
                         'outside, from a random `end_grad`.',
                 'hints': [['Hint 1',
                            'The forward function receives what a Recipe records: `fn` itself (it '
                            'is not a\n'
                            "Tensor, so it passes through) and `x`'s array. Run `fn` on "
                            '`Tensor(x)` under\n'
                            "`with no_grad():` and return the output's array."],
                           ['Hint 2',
                            'The backward function has the usual signature, `back(grad_out, out, '
                            'fn, x)`, and\n'
                            '`x` is argument 1 of the forward function. Make a fresh `Tensor(x,\n'
                            'requires_grad=True)`, run `fn` on it, call `.backward(grad_out)` on '
                            'the result,\n'
                            "and return the fresh Tensor's `.grad.array`."]],
                 'names': ['checkpoint'],
                 'given': '',
                 'stub': 'def checkpoint(fn, x):\n'
                         '    """fn(x), keeping only x: fn runs again in the backward pass."""\n'
                         '    raise NotImplementedError',
                 'solution': 'def run_block(fn, x):\n'
                             '    """Forward: fn on x\'s values, recording nothing inside."""\n'
                             '    with no_grad():\n'
                             '        return fn(Tensor(x)).array\n'
                             'def run_block_back(grad_out, out, fn, x):\n'
                             '    """Backward for x: run fn again, recording; backprop '
                             'grad_out."""\n'
                             '    x = Tensor(x, requires_grad=True)\n'
                             '    fn(x).backward(grad_out)\n'
                             '    return x.grad.array\n'
                             'add_back_func(run_block, 1, run_block_back)\n'
                             'run_block_recorded = wrap_forward_fn(run_block)\n'
                             'def checkpoint(fn, x):\n'
                             '    """fn(x), keeping only x: fn runs again in the backward '
                             'pass."""\n'
                             '    return run_block_recorded(fn, x)',
                 'check_code': '',
                 'calls': ['check_checkpoint(checkpoint)'],
                 'module_imports': [['autograd_lite', 'Tensor', None],
                                    ['autograd_lite', 'add_back_func', None],
                                    ['autograd_lite', 'no_grad', None],
                                    ['autograd_lite', 'wrap_forward_fn', None]],
                 'check_imports': [['autograd_lite.checks', 'check_checkpoint', None]]}]}]
