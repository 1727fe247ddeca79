//! Cycle detection shared by the item hierarchy (parent pointers) and the item dependency
//! graph. Works on indices so it serves both the loose intake and the typed order.

/// Returns a node that lies on a cycle, or `None` if the directed graph with `n` nodes and
/// successors `next(i)` is acyclic. Iterative DFS (no recursion depth limit on big orders).
pub fn find_cycle<F, I>(n: usize, next: F) -> Option<usize>
where
    F: Fn(usize) -> I,
    I: IntoIterator<Item = usize>,
{
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; n];
    for start in 0..n {
        if mark[start] != Mark::New {
            continue;
        }
        let mut stack: Vec<(usize, std::vec::IntoIter<usize>)> = vec![(
            start,
            next(start).into_iter().collect::<Vec<_>>().into_iter(),
        )];
        mark[start] = Mark::OnPath;
        while let Some((node, successors)) = stack.last_mut() {
            match successors.next() {
                Some(succ) if succ < n => match mark[succ] {
                    Mark::OnPath => return Some(succ),
                    Mark::New => {
                        mark[succ] = Mark::OnPath;
                        let succs = next(succ).into_iter().collect::<Vec<_>>().into_iter();
                        stack.push((succ, succs));
                    }
                    Mark::Done => {}
                },
                Some(_) => {}
                None => {
                    mark[*node] = Mark::Done;
                    stack.pop();
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_self_loops_only() {
        let dag = [vec![1, 2], vec![2], vec![]];
        assert_eq!(find_cycle(3, |i| dag[i].clone()), None);
        let cyc = [vec![1], vec![2], vec![0]];
        assert!(find_cycle(3, |i| cyc[i].clone()).is_some());
        let selfloop = [vec![], vec![1]];
        assert_eq!(find_cycle(2, |i| selfloop[i].clone()), Some(1));
        // Out-of-range successors are a different rule's problem, not a cycle.
        assert_eq!(find_cycle(1, |_| vec![7]), None);
    }
}
