//! Dependency graphs over indices: cycle paths and a deterministic topological order.
//!
//! Shared by the catalog loader (tasks of one rule) and the planner (tasks of a whole
//! order). Nodes are `0..n`; `deps[i]` lists the nodes `i` waits for. Both functions are
//! iterative, so a large order cannot overflow the stack.

use std::collections::BTreeSet;

/// A cycle as a path `[a, b, c]` meaning a waits for b, b for c and c for a; `None` when
/// the graph is acyclic. Out-of-range successors are ignored (another check's problem).
pub fn find_cycle(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let n = deps.len();
    let mut mark = vec![Mark::New; n];
    for start in 0..n {
        if mark[start] != Mark::New {
            continue;
        }
        // (node, index of the next successor to visit)
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::OnPath;
        while let Some(top) = path.last_mut() {
            let (node, next) = *top;
            let Some(&succ) = deps[node].get(next) else {
                mark[node] = Mark::Done;
                path.pop();
                continue;
            };
            top.1 += 1;
            if succ >= n {
                continue;
            }
            match mark[succ] {
                Mark::OnPath => {
                    let from = path.iter().position(|(n, _)| *n == succ).unwrap_or(0);
                    return Some(path[from..].iter().map(|(n, _)| *n).collect());
                }
                Mark::New => {
                    mark[succ] = Mark::OnPath;
                    path.push((succ, 0));
                }
                Mark::Done => {}
            }
        }
    }
    None
}

/// Every node after the nodes it waits for; among nodes that are ready at the same time,
/// the lowest index first. So the order is a pure function of the graph and the node
/// numbering. Returns a cycle path (see [`find_cycle`]) if there is no such order.
pub fn dependency_order(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = deps.len();
    let mut waiting_on: Vec<usize> = vec![0; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (node, ds) in deps.iter().enumerate() {
        let unique: BTreeSet<usize> = ds.iter().copied().filter(|d| *d < n).collect();
        waiting_on[node] = unique.len();
        for d in unique {
            dependents[d].push(node);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|i| waiting_on[*i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(node) = ready.pop_first() {
        order.push(node);
        for &dependent in &dependents[node] {
            waiting_on[dependent] -= 1;
            if waiting_on[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err(find_cycle(deps).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycle_paths_and_self_loops() {
        assert_eq!(find_cycle(&[vec![1], vec![2], vec![]]), None);
        assert_eq!(
            find_cycle(&[vec![1], vec![2], vec![0]]),
            Some(vec![0, 1, 2])
        );
        assert_eq!(find_cycle(&[vec![], vec![1]]), Some(vec![1]));
        assert_eq!(find_cycle(&[vec![7]]), None);
    }

    #[test]
    fn order_respects_dependencies_and_breaks_ties_by_index() {
        // 0 waits for 2; 1 waits for nothing; 2 waits for nothing; 3 waits for 0 and 1.
        let deps = [vec![2], vec![], vec![], vec![0, 1]];
        assert_eq!(dependency_order(&deps), Ok(vec![1, 2, 0, 3]));
        assert_eq!(
            dependency_order(&[vec![1], vec![0], vec![]]),
            Err(vec![0, 1])
        );
    }
}
