//! [`Unary`]: the shape shared by the stateless one-argument functions
//! (strict, immutable, evaluated once for a scalar).

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::columnar::{coerce_timestamp, single, unary};

/// A one-argument function: its name, result type and column kernel.
#[derive(Debug)]
pub(crate) struct Unary {
    name: &'static str,
    signature: Signature,
    /// Whether the argument is a timestamp (else text).
    timestamp: bool,
    returns: Returns,
    eval: Kernel,
}

/// The result type from the argument type.
type Returns = fn(&DataType) -> Result<DataType>;
/// The kernel: a column of arguments to a column of results.
type Kernel = fn(&dyn Array) -> Result<ArrayRef>;

impl Unary {
    /// A function of one text argument (Utf8, LargeUtf8 or Utf8View).
    pub(crate) fn text(name: &'static str, returns: Returns, eval: Kernel) -> Self {
        let signature = Signature::string(1, Volatility::Immutable);
        Self::new(name, signature, false, returns, eval)
    }

    /// A function of one timestamp argument (text and dates are cast).
    pub(crate) fn timestamp(name: &'static str, returns: Returns, eval: Kernel) -> Self {
        let signature = Signature::user_defined(Volatility::Immutable);
        Self::new(name, signature, true, returns, eval)
    }

    fn new(
        name: &'static str,
        signature: Signature,
        timestamp: bool,
        returns: Returns,
        eval: Kernel,
    ) -> Self {
        Self {
            name,
            signature,
            timestamp,
            returns,
            eval,
        }
    }
}

/// Functions are registered once per name: the name identifies one.
impl PartialEq for Unary {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Unary {}

impl std::hash::Hash for Unary {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for Unary {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [arg] if self.timestamp => Ok(vec![coerce_timestamp(arg, self.name)?]),
            [arg] => Ok(vec![arg.clone()]),
            _ => plan_err!("{} takes one argument", self.name),
        }
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args {
            [arg] => (self.returns)(arg),
            _ => plan_err!("{} takes one argument", self.name),
        }
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arg = single(&args.args, self.name)?;
        unary(&arg, self.eval)
    }
}
